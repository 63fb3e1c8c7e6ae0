import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig, LogLevelName } from '../config/app-config.js';
import { REDACTED_PATHS } from './redaction.js';

/** Nest calls its most detailed level "verbose"; pino calls it "trace". */
const PINO_LEVELS: Record<LogLevelName, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * The service's one logger: JSON lines (or pretty text on a terminal), secrets
 * redacted, to `destination` (main.ts: stdout's asynchronous writer,
 * log-destination.ts; by default `process.stdout`).
 */
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, destination: DestinationStream = process.stdout): Logger {
  const options: LoggerOptions = {
    level: PINO_LEVELS[config.logLevel],
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (config.logFormat === 'pretty') {
    const colorize = destination === process.stdout && Boolean(process.stdout.isTTY);
    return pino(
      options,
      pretty({ destination, colorize, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }),
    );
  }
  return pino(options, destination);
}
