import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';

/** How long in-flight requests get to finish after SIGTERM before connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

let draining = false;

/**
 * True once shutdown has begun: answers then carry `Connection: close`, so
 * keep-alive clients move on and their sockets close when the answer is out.
 * Express's pipeline applies it; while draining, it answers the token check too.
 */
export function isDraining(): boolean {
  return draining;
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish,
 * then run the application's shutdown hooks (mail worker, database), write
 * out the buffered log lines (`beforeExit`) and exit 0. A second signal, or
 * the drain timeout, cuts what is left.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: LoggerService,
  beforeExit: () => Promise<void> = () => Promise.resolve(),
): void {
  const server = app.getHttpServer() as Server;
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
    const closeApp = () => {
      app
        .close()
        .then(
          () => 0,
          (error: Error) => {
            logger.error(`shutdown failed: ${error.name}: ${error.message}`);
            return 1;
          },
        )
        .then(async (code) => {
          await beforeExit();
          process.exit(code);
        });
    };
    // Express leaves stopping the server to us: no new connections, idle ones closed now, busy ones after their answer.
    server.close(closeApp);
    server.closeIdleConnections();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
