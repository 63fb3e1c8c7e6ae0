import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';

/**
 * nestjs-pino keeps one root logger per process, the first it was given.
 * Every application instance logs through its own (the tests run several in
 * one process, each with its own level), so the root is pinned here.
 */
class InstanceLogger extends PinoLogger {
  constructor(private readonly root: Logger) {
    super({ pinoHttp: { logger: root } });
  }

  override get logger(): Logger {
    return this.root;
  }
}

/** Nest's own messages (start-up, the services' Logger instances) as records of the same pino logger. */
export function createNestLogger(root: Logger): LoggerService {
  return new NestPinoLogger(new InstanceLogger(root), {});
}
