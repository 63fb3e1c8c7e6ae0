import { join, resolve } from 'node:path';
import ms from 'ms';
import type { AppConfig, DatabaseConfig, ImageStorageConfig, LimitRule, LimitsConfig, LogLevelName } from './app-config.js';
import { refuseRetiredPlatform } from './http-platform-config.js';
import { parseOidc } from './oidc-config.js';
import { parsePasskeys } from './passkeys-config.js';
import { readSecretFile, secretFilePath } from './secret-file.js';
import { parseSocialReturnUrls } from './social-config.js';
import { parseWebhooks } from './webhooks-config.js';

type Env = Record<string, string | undefined>;

/** Raised for a bad environment value; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS: readonly LogLevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'];

const MIN_SECRET_LENGTH = 32;

/**
 * Reads and validates every variable of the configuration table. Anything
 * wrong stops the service at start with a message naming the variable.
 */
export function parseConfig(env: Env, stdoutIsTty = Boolean(process.stdout.isTTY)): AppConfig {
  refuseRetiredPlatform(env);
  const nodeEnv = parseNodeEnv(env);
  const port = parseInteger(env, 'PORT', 8000, 0, 65535);
  const host = env.HOST?.trim() || '0.0.0.0';
  const dataDir = parseDataDir(env);
  const publicUrl = parsePublicUrl(env, port);
  const tokenIdleTtlMs = parseDuration(env, 'TOKEN_IDLE_TTL', '7d');

  return {
    nodeEnv,
    port,
    host,
    publicUrl,
    database: parseDatabaseUrl(env.DATABASE_URL?.trim() || `sqlite:${join(dataDir, 'one_auth.sqlite')}`),
    smtpUrl: parseSmtpUrl(env),
    mailFrom: env.MAIL_FROM?.trim() || 'one_auth <no-reply@localhost>',
    mailClaimMs: parseDuration(env, 'MAIL_CLAIM_TTL', '2m'),
    dataDir,
    secret: resolveSecret(env, nodeEnv, dataDir),
    tokenTtlMs: parseDuration(env, 'TOKEN_TTL', '30d'),
    tokenIdleTtlMs,
    codeTtlMs: parseDuration(env, 'CODE_TTL', '10m'),
    securityEventRetentionMs: parseDuration(env, 'SECURITY_EVENT_RETENTION', '90d'),
    adminAuditRetentionMs: parseDuration(env, 'ADMIN_AUDIT_RETENTION', '365d'),
    maxImageBytes: parseInteger(env, 'MAX_IMAGE_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    maxImagePixels: parseInteger(env, 'MAX_IMAGE_PIXELS', 40_000_000, 1, 1_000_000_000),
    maxJsonBytes: parseInteger(env, 'MAX_JSON_BYTES', 16 * 1024, 1024, 10 * 1024 * 1024),
    imageStorage: parseImageStorage(env),
    // OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
    argon2: {
      memoryCost: parseInteger(env, 'ARGON2_MEMORY_KIB', 19_456, 8_192, 4_194_304),
      timeCost: parseInteger(env, 'ARGON2_TIME_COST', 2, 1, 100),
      parallelism: parseInteger(env, 'ARGON2_PARALLELISM', 1, 1, 16),
    },
    limits: parseLimits(env),
    webhooks: parseWebhooks(env),
    maxTokensPerAccount: parseInteger(env, 'MAX_TOKENS_PER_ACCOUNT', 100, 1, 100_000),
    inactiveAccountTtlMs: parseDuration(env, 'INACTIVE_ACCOUNT_TTL', '7d'),
    housekeeping: {
      intervalMs: parseDuration(env, 'HOUSEKEEPING_INTERVAL', '10m'),
      imageGraceMs: parseDuration(env, 'HOUSEKEEPING_IMAGE_GRACE', '24h'),
      failedMailTtlMs: parseDuration(env, 'HOUSEKEEPING_FAILED_MAIL_TTL', '7d'),
      finishedWebhookTtlMs: parseDuration(env, 'HOUSEKEEPING_WEBHOOK_TTL', '7d'),
    },
    trustProxy: parseTrustProxy(env),
    logLevel: parseChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: parseChoice(env, 'LOG_FORMAT', ['json', 'pretty'], stdoutIsTty ? 'pretty' : 'json'),
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    passkeys: parsePasskeys(env, publicUrl),
    totpIssuer: parseTotpIssuer(env),
    socialReturnUrls: parseSocialReturnUrls(env),
    oidc: parseOidc(env, publicUrl, tokenIdleTtlMs),
  };
}

/**
 * The name authenticator apps show beside the account. It goes in the
 * otpauth:// label before a colon, so it may not hold one itself.
 */
function parseTotpIssuer(env: Env): string {
  const raw = env.TOTP_ISSUER?.trim() || 'one_auth';
  // eslint-disable-next-line no-control-regex
  if (raw.length > 64 || raw.includes(':') || /[\u0000-\u001f\u007f]/.test(raw)) {
    throw new ConfigError(`TOTP_ISSUER must be at most 64 printable characters without a colon, got "${raw}"`);
  }
  return raw;
}

function parseLimits(env: Env): LimitsConfig {
  return {
    loginFailuresPerAccountAndAddress: parseLimit(env, 'LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS', '10/15m'),
    loginFailuresPerAccount: parseLimit(env, 'LIMIT_LOGIN_FAILURES_PER_ACCOUNT', '100/1d'),
    loginFailuresPerAddress: parseLimit(env, 'LIMIT_LOGIN_FAILURES_PER_ADDRESS', '100/15m'),
    codeFailuresPerAccount: parseLimit(env, 'LIMIT_CODE_FAILURES_PER_ACCOUNT', '20/1h'),
    codeMailsPerEmail: parseLimit(env, 'LIMIT_CODE_MAILS_PER_EMAIL', '5/1h'),
    codeMailsPerAddress: parseLimit(env, 'LIMIT_CODE_MAILS_PER_ADDRESS', '200/1h'),
    codeResendIntervalMs: parseDuration(env, 'CODE_RESEND_INTERVAL', '60s'),
  };
}

/** `N/duration`, e.g. `10/15m`: at most N in any sliding window of that length. */
function parseLimit(env: Env, name: string, fallback: string): LimitRule {
  const raw = env[name]?.trim() || fallback;
  const match = /^(\d+)\s*\/\s*(\S+)$/.exec(raw);
  const windowMs = match ? parseDuration({ [name]: match[2] }, name, match[2]) : NaN;
  if (!match || Number(match[1]) < 1 || !(windowMs > 0)) {
    throw new ConfigError(`${name} must look like 10/15m (count per duration), got "${raw}"`);
  }
  return { max: Number(match[1]), windowMs };
}

function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function parseChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (!choices.includes(raw as T)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

export function parseDuration(env: Env, name: string, fallback: string): number {
  const raw = env[name]?.trim() || fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) * 1000 : ms(raw as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1000) {
    throw new ConfigError(`${name} must be a duration such as 30d, 12h, 10m or 90s (at least 1s), got "${raw}"`);
  }
  return value;
}

function parsePublicUrl(env: Env, port: number): string {
  const raw = env.PUBLIC_URL?.trim() || `http://localhost:${port}`;
  if (!isHttpUrl(raw)) throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

export function parseDatabaseUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL must name a file after "sqlite:"');
    return { type: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (/^(mysql|mariadb):\/\//.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid mysql:// URL');
    }
    if (!url.hostname || url.pathname.length < 2) {
      throw new ConfigError('DATABASE_URL must look like mysql://user:pass@host:3306/db');
    }
    return { type: 'mysql', url: raw.replace(/^mariadb:/, 'mysql:') };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite: or mysql://');
}

function parseSmtpUrl(env: Env): string | undefined {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname) return raw;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError('SMTP_URL must look like smtp://user:pass@host:port or smtps://...');
}

/**
 * Credentials are not read here: the AWS SDK finds them itself (environment,
 * shared files, container or instance roles), as every S3 tool does.
 */
function parseImageStorage(env: Env): ImageStorageConfig {
  if (parseChoice(env, 'IMAGE_STORAGE', ['local', 's3'], 'local') === 'local') return { type: 'local' };
  const bucket = env.S3_BUCKET?.trim();
  if (!bucket) throw new ConfigError('S3_BUCKET is required when IMAGE_STORAGE=s3');
  // S3's naming rules, with the underscores and capitals older stores (Ceph) still allow.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/.test(bucket)) {
    throw new ConfigError(`S3_BUCKET must be a bucket name (3 to 63 letters, digits, dots, dashes), got "${bucket}"`);
  }
  const endpoint = env.S3_ENDPOINT?.trim() || undefined;
  if (endpoint && !isHttpUrl(endpoint)) {
    throw new ConfigError(`S3_ENDPOINT must be an absolute http(s) URL, got "${endpoint}"`);
  }
  const region = env.S3_REGION?.trim() || env.AWS_REGION?.trim() || 'us-east-1';
  if (!/^[a-z0-9-]+$/i.test(region)) throw new ConfigError(`S3_REGION must be a region name such as eu-west-3 or auto, got "${region}"`);
  return { type: 's3', bucket, endpoint, region, forcePathStyle: parseBoolean(env, 'S3_FORCE_PATH_STYLE', false) };
}

function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function parseTrustProxy(env: Env): boolean | number | string[] {
  const raw = env.TRUST_PROXY?.trim().toLowerCase();
  if (!raw || raw === 'false' || raw === '0') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((item) => item.trim());
  const ok = list.every((item) => /^(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)$/.test(item));
  if (!ok) {
    throw new ConfigError('TRUST_PROXY must be false, true, a hop count or a comma-separated list of addresses');
  }
  return list;
}

function parseNodeEnv(env: Env): string {
  return env.NODE_ENV?.trim() || 'development';
}

function parseDataDir(env: Env): string {
  return resolve(env.DATA_DIR?.trim() || './data');
}

/**
 * The DATA_DIR whose secret file stands in for SECRET: outside production,
 * when SECRET is unset. The file is written at start (config-at-start.ts),
 * never while parsing.
 */
export function dataDirKeepingSecret(env: Env): string | undefined {
  if (env.SECRET?.trim() || parseNodeEnv(env) === 'production') return undefined;
  return parseDataDir(env);
}

/** The key for code hashes and the outbox cipher: SECRET, or outside production the secret file in DATA_DIR. */
function resolveSecret(env: Env, nodeEnv: string, dataDir: string): string {
  const raw = env.SECRET?.trim();
  if (raw) {
    if (raw.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return raw;
  }
  if (nodeEnv === 'production') throw new ConfigError('SECRET is required when NODE_ENV=production');
  const stored = readSecretFile(dataDir);
  if (!stored)
    throw new ConfigError(
      `SECRET is not set and there is no ${secretFilePath(dataDir)}: set SECRET, or start the service once to write one`,
    );
  return stored;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
