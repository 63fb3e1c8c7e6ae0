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
  maxImagePixels: number;
  maxJsonBytes: number;
  imageStorage: ImageStorageConfig;
  argon2: Argon2Config;
  limits: LimitsConfig;
  /** Express's `trust proxy` value: false, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string[];
  logLevels: LogLevel[];
}

/** Where image bytes live: `$DATA_DIR/images`, or a bucket of an S3-compatible store. */
export type ImageStorageConfig =
  { type: 'local' } | { type: 's3'; bucket: string; endpoint: string | undefined; region: string; forcePathStyle: boolean };

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'mysql'; url: string };

/** argon2id cost parameters; hashes made with others are upgraded at the next login. */
export interface Argon2Config {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** At most `max` events per sliding `windowMs`. */
export interface LimitRule {
  max: number;
  windowMs: number;
}

export interface LimitsConfig {
  loginFailuresPerAccountAndAddress: LimitRule;
  loginFailuresPerAccount: LimitRule;
  loginFailuresPerAddress: LimitRule;
  codeFailuresPerAccount: LimitRule;
  codeMailsPerEmail: LimitRule;
  codeMailsPerAddress: LimitRule;
  /** A repeat within this keeps the live code and sends nothing. */
  codeResendIntervalMs: number;
}
