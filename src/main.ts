import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup.js';
import { configAtStart } from './config/config-at-start.js';
import { ConfigError } from './config/parse-config.js';
import { LogDestination } from './logging/log-destination.js';
import { exitOnFatalErrors } from './platform/fatal-errors.js';
import { installGracefulShutdown } from './platform/graceful-shutdown.js';

if (existsSync('.env')) process.loadEnvFile('.env');

// JSON log lines are buffered and written asynchronously; every exit writes them out first.
let logs: LogDestination | undefined;
const closeLogs = () => (logs ? logs.close() : Promise.resolve());

async function bootstrap(): Promise<void> {
  const config = configAtStart(process.env);
  // Pretty text is for a person at a terminal: written as it comes, as before.
  if (config.logFormat === 'json') logs = new LogDestination();
  const app = await createApp(config, logs);
  const logger = new Logger('one_auth');
  exitOnFatalErrors(logger, closeLogs);
  await app.listen(config.port, config.host);
  installGracefulShutdown(app, logger, closeLogs);
  const where = config.database.type === 'sqlite' ? `SQLite ${config.database.path}` : 'MySQL';
  const mail = config.smtpUrl ? 'SMTP' : `files in ${config.dataDir}/mail`;
  const images = config.imageStorage.type === 's3' ? `bucket ${config.imageStorage.bucket}` : `${config.dataDir}/images`;
  logger.log(`listening on http://${config.host}:${config.port}/one_auth (database: ${where}; mail: ${mail}; images: ${images})`);
  logger.log(`Swagger UI: ${config.publicUrl}/one_auth/docs`);
  logger.log(`OpenID Provider: ${config.oidc.issuer}/.well-known/openid-configuration`);
}

bootstrap().catch(async (error: unknown) => {
  // A bad setting is the operator's to fix: say which, without a stack.
  const message = error instanceof ConfigError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
  await closeLogs();
  console.error(`one_auth failed to start: ${message}`);
  process.exit(1);
});
