import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KeysCliModule } from './api-keys/keys-cli.module.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { KEYS_USAGE, runKeysCommand } from './api-keys/keys-command.js';
import { configAtStart } from './config/config-at-start.js';
import { ConfigError } from './config/parse-config.js';
import { OidcCliModule } from './oidc/oidc-cli.module.js';
import { runSigningKeysCommand, SIGNING_KEYS_USAGE } from './oidc/signing-keys-command.js';
import { SigningKeys } from './oidc/signing-keys.service.js';
import { CLIENTS_USAGE, runClientsCommand } from './oidc-clients/clients-command.js';
import { OidcClientsService } from './oidc-clients/oidc-clients.service.js';

/*
 * The operator's command line: `node dist/cli.js keys|clients|signing-keys …`
 * (`npm run keys -- …`, `npm run clients -- …`, `npm run signing-keys -- …`).
 * Same environment and `.env` as the service, same database; pending
 * migrations are applied first, as the service does at start.
 */

if (existsSync('.env')) process.loadEnvFile('.env');

type Output = { out: (line: string) => void; err: (line: string) => void };
type Command = { module: Type; run: (args: string[], context: INestApplicationContext, output: Output) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  keys: { module: KeysCliModule, run: (args, context, output) => runKeysCommand(args, context.get(ApiKeysService), output) },
  clients: { module: OidcCliModule, run: (args, context, output) => runClientsCommand(args, context.get(OidcClientsService), output) },
  'signing-keys': { module: OidcCliModule, run: (args, context, output) => runSigningKeysCommand(args, context.get(SigningKeys), output) },
};

async function main(argv: string[]): Promise<number> {
  const [group, ...args] = argv;
  const command = COMMANDS[group];
  if (!command) {
    process.stderr.write(`${KEYS_USAGE}\n${CLIENTS_USAGE}\n${SIGNING_KEYS_USAGE}\n`);
    return 2;
  }
  configAtStart(process.env);
  const context = await NestFactory.createApplicationContext(command.module, { logger: false });
  try {
    return await command.run(args, context, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    process.stderr.write(`one_auth ${process.argv[2] ?? 'cli'} failed: ${message}\n`);
    process.exitCode = 1;
  },
);
