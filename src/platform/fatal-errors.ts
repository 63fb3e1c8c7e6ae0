import type { Logger } from '@nestjs/common';

/**
 * An exception nothing caught, or a rejection nothing handled, leaves the
 * process in an unknown state: it is logged as fatal (name and message, no
 * stack), the buffered log lines are written out (`beforeExit`, bounded),
 * and the process exits 1 for its supervisor to restart it. Node's default
 * would exit at once, dropping the lines still buffered.
 */
export function exitOnFatalErrors(logger: Pick<Logger, 'fatal'>, beforeExit: () => Promise<void>): void {
  let exiting = false;
  const fatal = (error: unknown) => {
    if (exiting) return;
    exiting = true;
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    logger.fatal(`fatal: ${name}: ${message}`);
    void beforeExit().finally(() => process.exit(1));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}
