import type { LogLevel } from '@nestjs/common';

/** The validated, typed configuration the whole service runs on. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  httpPlatform: 'express' | 'fastify';
  publicUrl: string;
  database: DatabaseConfig;
  smtpUrl: string | undefined;
  mailFrom: string;
  dataDir: string;
  secret: string;
  tokenTtlMs: number;
  tokenIdleTtlMs: number;
  codeTtlMs: number;
  maxImageBytes: number;
  maxJsonBytes: number;
  /** Express's `trust proxy` value: false, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string[];
  logLevels: LogLevel[];
}

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'mysql'; url: string };
