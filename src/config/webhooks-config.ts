import type { WebhooksConfig } from './app-config.js';
import { ConfigError, isHttpUrl, parseDuration } from './parse-config.js';

type Env = Record<string, string | undefined>;

/** Longer URLs do not fit the delivery table's column. */
const MAX_URL_LENGTH = 500;
/** Standard Webhooks secrets carry 24 to 64 random bytes. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export function parseWebhooks(env: Env): WebhooksConfig {
  const urls = (env.WEBHOOK_URL ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    if (!isHttpUrl(url) || url.length > MAX_URL_LENGTH || /^[a-z]+:\/\/[^/]*@/i.test(url)) {
      throw new ConfigError(
        `WEBHOOK_URL must be a comma-separated list of http(s) URLs (no user:password, at most ${MAX_URL_LENGTH} characters), got "${url}"`,
      );
    }
  }
  if (new Set(urls).size !== urls.length) throw new ConfigError('WEBHOOK_URL names the same URL twice');
  return {
    urls,
    secret: parseSecret(env, urls.length > 0),
    maxRetryIntervalMs: parseDuration(env, 'WEBHOOK_MAX_RETRY_INTERVAL', '60s'),
    retryForMs: parseDuration(env, 'WEBHOOK_RETRY_FOR', '24h'),
  };
}

function parseSecret(env: Env, required: boolean): string | undefined {
  const raw = env.WEBHOOK_SECRET?.trim();
  if (!raw) {
    if (required) throw new ConfigError('WEBHOOK_SECRET is required when WEBHOOK_URL is set (whsec_ followed by base64)');
    return undefined;
  }
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(raw);
  const bytes = match ? Buffer.from(match[1], 'base64').length : 0;
  if (!match || match[1].length % 4 !== 0 || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new ConfigError(
      `WEBHOOK_SECRET must be whsec_ followed by ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes in base64 (e.g. whsec_$(openssl rand -base64 32))`,
    );
  }
  return raw;
}
