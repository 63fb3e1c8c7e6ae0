import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';

/** How long in-flight requests get to finish after SIGTERM before connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish
 * (answers during the drain carry `Connection: close`, so keep-alive clients
 * move on), then run the application's shutdown hooks (mail worker, database)
 * and exit 0. A second signal, or the drain timeout, cuts what is left.
 */
export function installGracefulShutdown(app: INestApplication, logger: LoggerService): void {
  const server = app.getHttpServer() as Server;
  let draining = false;
  server.on('request', (_request, response) => {
    if (draining) response.setHeader('Connection', 'close');
  });
  const shutdown = (signal: NodeJS.Signals) => {
    if (draining) {
      logger.warn(`${signal} again: closing every connection now`);
      server.closeAllConnections();
      return;
    }
    draining = true;
    logger.log(`${signal}: draining requests in flight`);
    const timer = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      app
        .close()
        .then(() => process.exit(0))
        .catch((error: Error) => {
          logger.error(`shutdown failed: ${error.name}: ${error.message}`);
          process.exit(1);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
