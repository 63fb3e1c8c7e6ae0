import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup.js';
import { ConfigError, parseConfig } from './config/parse-config.js';
import { installGracefulShutdown } from './platform/graceful-shutdown.js';

if (existsSync('.env')) process.loadEnvFile('.env');

async function bootstrap(): Promise<void> {
  const config = parseConfig(process.env);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const logger = new Logger('one_auth');
  installGracefulShutdown(app, logger);
  const where = config.database.type === 'sqlite' ? `SQLite ${config.database.path}` : 'MySQL';
  const mail = config.smtpUrl ? 'SMTP' : `files in ${config.dataDir}/mail`;
  const images = config.imageStorage.type === 's3' ? `bucket ${config.imageStorage.bucket}` : `${config.dataDir}/images`;
  logger.log(`listening on http://${config.host}:${config.port}/one_auth (database: ${where}; mail: ${mail}; images: ${images})`);
  logger.log(`Swagger UI: ${config.publicUrl}/one_auth/docs`);
}

bootstrap().catch((error: unknown) => {
  // A bad setting is the operator's to fix: say which, without a stack.
  const message = error instanceof ConfigError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
  console.error(`one_auth failed to start: ${message}`);
  process.exit(1);
});
