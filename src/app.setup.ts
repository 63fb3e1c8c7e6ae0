import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';
import { createValidationPipe } from './http/validation.js';
import type { AppConfig } from './config/app-config.js';
import { createLogger } from './logging/logger.js';
import { createExpressApp, finishExpressApp } from './platform/express.platform.js';
import { assertValidationsServed, createFastifyApp } from './platform/fastify.platform.js';
import { setupSwagger } from './swagger.js';

/**
 * Builds and initialises the whole application, as main.ts runs it and as
 * the tests drive it. Logs go to `logDestination`: main.ts gives stdout's
 * asynchronous writer; by default they go through `process.stdout`, so that
 * whatever embeds the service (the tests) sees the very bytes an operator
 * would.
 */
export async function createApp(config: AppConfig, logDestination?: DestinationStream): Promise<INestApplication> {
  const logger = createLogger(config, logDestination);
  if (config.httpPlatform === 'fastify') {
    const app = await createFastifyApp(config, logger);
    configureApp(app, config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    assertValidationsServed(app);
    return app;
  }
  const app = await createExpressApp(config, logger);
  configureApp(app, config);
  await app.init();
  finishExpressApp(app);
  return app;
}

/** What every platform shares: prefix, errors, validation, docs. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  app.setGlobalPrefix('one_auth');
  app.useGlobalFilters(new AllExceptionsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app, config.publicUrl);
}
