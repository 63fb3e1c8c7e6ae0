import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { writeSecretFileOnce } from './secret-file.js';

/** A DATA_DIR as a first start leaves it: with its secret file (config-at-start.spec.ts). */
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'one_auth-config-'));
  writeSecretFileOnce(dir);
  return dir;
};

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    const dir = dataDir();
    const config = parseConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:8000',
      database: { type: 'sqlite', path: join(dir, 'one_auth.sqlite') },
      smtpUrl: undefined,
      mailFrom: 'one_auth <no-reply@localhost>',
      mailClaimMs: 120_000,
      tokenTtlMs: 30 * 86_400_000,
      tokenIdleTtlMs: 7 * 86_400_000,
      codeTtlMs: 600_000,
      securityEventRetentionMs: 90 * 86_400_000,
      adminAuditRetentionMs: 365 * 86_400_000,
      maxImageBytes: 5_242_880,
      trustProxy: false,
      totpIssuer: 'one_auth',
      maxTokensPerAccount: 100,
      inactiveAccountTtlMs: 7 * 86_400_000,
      housekeeping: {
        intervalMs: 600_000,
        imageGraceMs: 86_400_000,
        failedMailTtlMs: 7 * 86_400_000,
        finishedWebhookTtlMs: 7 * 86_400_000,
      },
    });
  });

  it('reads the other values', () => {
    const config = parseConfig({
      DATA_DIR: dataDir(),
      PORT: '9000',
      DATABASE_URL: 'mysql://u:p@db:3306/one_auth',
      SMTP_URL: 'smtps://u:p@mail.example.com:465',
      TOKEN_TTL: '12h',
      TOKEN_IDLE_TTL: '90s',
      CODE_TTL: '5m',
      MAIL_CLAIM_TTL: '30s',
      SECURITY_EVENT_RETENTION: '30d',
      ADMIN_AUDIT_RETENTION: '730d',
      TRUST_PROXY: '1',
      LOG_LEVEL: 'debug',
    });
    expect(config.publicUrl).toBe('http://localhost:9000');
    expect(config.database).toEqual({ type: 'mysql', url: 'mysql://u:p@db:3306/one_auth' });
    expect(config.tokenTtlMs).toBe(43_200_000);
    expect(config.tokenIdleTtlMs).toBe(90_000);
    expect(config.codeTtlMs).toBe(300_000);
    expect(config.mailClaimMs).toBe(30_000);
    expect(config.securityEventRetentionMs).toBe(30 * 86_400_000);
    expect(config.adminAuditRetentionMs).toBe(730 * 86_400_000);
    expect(config.trustProxy).toBe(1);
    expect(config.logLevel).toBe('debug');
  });

  it('logs JSON unless stdout is a terminal, and reads METRICS_TOKEN', () => {
    expect(parseConfig({ DATA_DIR: dataDir() }, false)).toMatchObject({ logLevel: 'info', logFormat: 'json', metricsToken: undefined });
    expect(parseConfig({ DATA_DIR: dataDir() }, true).logFormat).toBe('pretty');
    expect(parseConfig({ DATA_DIR: dataDir(), LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
    expect(parseConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: ' scrape-me ' }).metricsToken).toBe('scrape-me');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['HTTP_PLATFORM', 'koa'],
    ['PUBLIC_URL', 'ftp://x'],
    ['DATABASE_URL', 'postgres://x/y'],
    ['SMTP_URL', 'http://mail'],
    ['TOKEN_TTL', 'forever'],
    ['CODE_TTL', '0s'],
    ['MAIL_CLAIM_TTL', 'long'],
    ['MAX_IMAGE_BYTES', '-1'],
    ['TRUST_PROXY', 'maybe please'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['SECRET', 'short'],
    ['MAX_TOKENS_PER_ACCOUNT', '0'],
    ['INACTIVE_ACCOUNT_TTL', 'never'],
    ['HOUSEKEEPING_INTERVAL', '0s'],
    ['HOUSEKEEPING_IMAGE_GRACE', '-1h'],
    ['HOUSEKEEPING_FAILED_MAIL_TTL', 'soon'],
    ['HOUSEKEEPING_WEBHOOK_TTL', '0'],
    ['ADMIN_AUDIT_RETENTION', 'a year'],
    ['TOTP_ISSUER', 'Acme:Login'],
    ['TOTP_ISSUER', 'x'.repeat(65)],
    ['TOTP_ISSUER', 'tab\there'],
  ])('stops with a message naming %s for %j', (name, value) => {
    expect(() => parseConfig({ DATA_DIR: dataDir(), [name]: value })).toThrow(new RegExp(`^${name}`));
  });

  it('reads TOTP_ISSUER, spaces and all', () => {
    expect(parseConfig({ DATA_DIR: dataDir(), TOTP_ISSUER: ' Acme Login ' }).totpIssuer).toBe('Acme Login');
  });

  it('keeps images in DATA_DIR unless IMAGE_STORAGE=s3', () => {
    expect(parseConfig({ DATA_DIR: dataDir() }).imageStorage).toEqual({ type: 'local' });
  });

  it('reads the object storage settings', () => {
    const s3 = { DATA_DIR: dataDir(), IMAGE_STORAGE: 's3', S3_BUCKET: 'avatars' };
    expect(parseConfig(s3).imageStorage).toEqual({
      type: 's3',
      bucket: 'avatars',
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
    });
    expect(
      parseConfig({ ...s3, S3_ENDPOINT: 'http://127.0.0.1:9000', S3_REGION: 'auto', S3_FORCE_PATH_STYLE: 'true' }).imageStorage,
    ).toMatchObject({ endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: true });
    expect(parseConfig({ ...s3, AWS_REGION: 'eu-west-3' }).imageStorage).toMatchObject({ region: 'eu-west-3' });
  });

  it.each([
    ['IMAGE_STORAGE', { IMAGE_STORAGE: 'ftp' }],
    ['S3_BUCKET is required', { IMAGE_STORAGE: 's3' }],
    ['S3_BUCKET', { IMAGE_STORAGE: 's3', S3_BUCKET: 'no/slashes' }],
    ['S3_ENDPOINT', { IMAGE_STORAGE: 's3', S3_BUCKET: 'avatars', S3_ENDPOINT: 'minio:9000' }],
    ['S3_REGION', { IMAGE_STORAGE: 's3', S3_BUCKET: 'avatars', S3_REGION: 'eu west' }],
    ['S3_FORCE_PATH_STYLE', { IMAGE_STORAGE: 's3', S3_BUCKET: 'avatars', S3_FORCE_PATH_STYLE: 'yes please' }],
  ])('stops with a message naming %s', (name, env) => {
    expect(() => parseConfig({ DATA_DIR: dataDir(), ...env })).toThrow(new RegExp(`^${name}`));
  });

  it('requires SECRET in production', () => {
    expect(() => parseConfig({ DATA_DIR: dataDir(), NODE_ENV: 'production' })).toThrow(/^SECRET is required/);
  });
});
