import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { DestinationStream } from 'pino';
import { AccessTokensService } from './auth/access-tokens.service.js';
import { clientAddressResolver } from './http/client-address.js';
import { RequestRecorder } from './http/request-recorder.js';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';
import { createValidationPipe } from './http/validation.js';
import type { AppConfig } from './config/app-config.js';
import { createRequestLogger } from './logging/http-logger.js';
import { createLogger } from './logging/logger.js';
import { Metrics } from './metrics/metrics.js';
import { oidcMount } from './oidc/oidc-mount.js';
import { OidcProviderHost } from './oidc/oidc-provider.host.js';
import { answerUserinfoAhead } from './oidc/userinfo-ahead.js';
import { createExpressApp, finishExpressApp, requestPipeline } from './platform/express.platform.js';
import { answerTokenChecksFirst } from './platform/token-check-first.js';
import { setupSwagger } from './swagger.js';

export interface AppOptions {
  /**
   * Whether the token check is answered ahead of Express when its token
   * checks out (token-check-first.ts); on unless a test turns it off to
   * compare the answers with those of Nest's route alone.
   */
  tokenCheckAhead?: boolean;
  /**
   * Whether userinfo is answered ahead of Express and the provider's
   * pipeline when its token checks out (oidc/userinfo-ahead.ts); on unless
   * a test turns it off to compare the answers with the provider's alone.
   */
  userinfoAhead?: boolean;
}

/**
 * Builds and initialises the whole application, as main.ts runs it and as
 * the tests drive it. Logs go to `logDestination`: main.ts gives stdout's
 * asynchronous writer; by default they go through `process.stdout`, so that
 * whatever embeds the service (the tests) sees the very bytes an operator
 * would.
 */
export async function createApp(
  config: AppConfig,
  logDestination?: DestinationStream,
  { tokenCheckAhead = true, userinfoAhead = true }: AppOptions = {},
): Promise<INestApplication> {
  const logger = createLogger(config, logDestination);
  const app = await createExpressApp(config, logger);
  const recorder = new RequestRecorder(app.get(Metrics), createRequestLogger(logger), clientAddressResolver(config.trustProxy));
  app.use(requestPipeline(config, recorder, oidcMount(app)));
  configureApp(app, config);
  await app.init();
  finishExpressApp(app);
  const server = app.getHttpServer() as Server;
  if (userinfoAhead) answerUserinfoAhead(server, { host: app.get(OidcProviderHost), recorder, mountPath: config.oidc.mountPath });
  // Outermost, so that the token check, the most frequent request by far, meets nothing before it.
  if (tokenCheckAhead) answerTokenChecksFirst(server, { tokens: app.get(AccessTokensService), recorder });
  return app;
}

/** Prefix, errors, validation, docs. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  app.setGlobalPrefix('one_auth');
  app.useGlobalFilters(new AllExceptionsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app, config.publicUrl);
}
