import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { KeysCliModule } from './api-keys/keys-cli.module.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { KEYS_USAGE, runKeysCommand } from './api-keys/keys-command.js';
import { configAtStart } from './config/config-at-start.js';
import { ConfigError } from './config/parse-config.js';

/*
 * The operator's command line: `node dist/cli.js keys create|list|revoke …`
 * (`npm run keys -- …`). Same environment and `.env` as the service, same
 * database; pending migrations are applied first, as the service does at start.
 */

if (existsSync('.env')) process.loadEnvFile('.env');

async function main(argv: string[]): Promise<number> {
  const [group, ...args] = argv;
  if (group !== 'keys') {
    process.stderr.write(`${KEYS_USAGE}\n`);
    return 2;
  }
  configAtStart(process.env);
  const context = await NestFactory.createApplicationContext(KeysCliModule, { logger: false });
  try {
    return await runKeysCommand(args, context.get(ApiKeysService), {
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
    process.stderr.write(`one_auth keys failed: ${message}\n`);
    process.exitCode = 1;
  },
);
