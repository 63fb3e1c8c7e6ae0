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
 * pino's ISO time, formatted once per millisecond: under load several lines
 * share one, and formatting a Date is a good part of a line's cost.
 */
function isoTimeOfThisMillisecond(): () => string {
  let millisecond = 0;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== millisecond) {
      millisecond = now;
      field = `,"time":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}

/**
 * The service's one logger: JSON lines (or pretty text on a terminal), secrets
 * redacted, to `destination` (main.ts: stdout's asynchronous writer,
 * log-destination.ts; by default `process.stdout`).
 */
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, destination: DestinationStream = process.stdout): Logger {
  const options: LoggerOptions = {
    level: PINO_LEVELS[config.logLevel],
    timestamp: isoTimeOfThisMillisecond(),
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
