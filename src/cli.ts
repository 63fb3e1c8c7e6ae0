import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KeysCliModule } from './api-keys/keys-cli.module.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { KEYS_USAGE, runKeysCommand } from './api-keys/keys-command.js';
import { configAtStart } from './config/config-at-start.js';
import { ConfigError } from './config/parse-config.js';
import { ProviderRemoval } from './identities/provider-removal.service.js';
import { OidcCliModule } from './oidc/oidc-cli.module.js';
import { runSigningKeysCommand, SIGNING_KEYS_USAGE } from './oidc/signing-keys-command.js';
import { SigningKeys } from './oidc/signing-keys.service.js';
import { CLIENTS_USAGE, runClientsCommand } from './oidc-clients/clients-command.js';
import { OidcClientsService } from './oidc-clients/oidc-clients.service.js';
import { ProvidersCliModule } from './sign-in-providers/providers-cli.module.js';
import { PROVIDERS_USAGE, runProvidersCommand } from './sign-in-providers/providers-command.js';
import { SignInProvidersService } from './sign-in-providers/sign-in-providers.service.js';

/*
 * The operator's command line: `node dist/cli.js keys create|list|revoke …`
 * (`npm run keys -- …`), `node dist/cli.js providers add|list|remove …`
 * (`npm run providers -- …`), `node dist/cli.js clients …` and
 * `node dist/cli.js signing-keys …` (`npm run clients -- …`,
 * `npm run signing-keys -- …`). Same environment and `.env` as the service,
 * same database; pending migrations are applied first, as the service does
 * at start.
 */

if (existsSync('.env')) process.loadEnvFile('.env');

const output = {
  out: (line: string) => void process.stdout.write(`${line}\n`),
  err: (line: string) => void process.stderr.write(`${line}\n`),
};

/** How the command line names itself in what it writes to the operator (never a secret). */
const CLI_CLIENT = { address: '', userAgent: 'one_auth providers command' };

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  keys: (args) => withContext(KeysCliModule, (context) => runKeysCommand(args, context.get(ApiKeysService), output)),
  providers: (args) =>
    withContext(ProvidersCliModule, (context) => {
      const providers = context.get(SignInProvidersService);
      const removal = context.get(ProviderRemoval);
      return runProvidersCommand(
        args,
        {
          add: (input) => providers.add(input),
          list: () => providers.list(),
          remove: (id) => removal.remove(id, CLI_CLIENT),
          readFile: (path) => readFile(path, 'utf8'),
          readStdin,
        },
        output,
      );
    }),
  clients: (args) => withContext(OidcCliModule, (context) => runClientsCommand(args, context.get(OidcClientsService), output)),
  'signing-keys': (args) => withContext(OidcCliModule, (context) => runSigningKeysCommand(args, context.get(SigningKeys), output)),
};

async function withContext(module: object, run: (context: INestApplicationContext) => Promise<number>): Promise<number> {
  configAtStart(process.env);
  const context = await NestFactory.createApplicationContext(module, { logger: false });
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: string[]): Promise<number> {
  const [group, ...args] = argv;
  const command = group === undefined ? undefined : COMMANDS[group];
  if (!command) {
    process.stderr.write(`${KEYS_USAGE}\n${PROVIDERS_USAGE}\n${CLIENTS_USAGE}\n${SIGNING_KEYS_USAGE}\n`);
    return 2;
  }
  return command(args);
}

main(process.argv.slice(2)).then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    process.stderr.write(`one_auth ${process.argv[2] ?? ''} failed: ${message}\n`);
    process.exitCode = 1;
  },
);
