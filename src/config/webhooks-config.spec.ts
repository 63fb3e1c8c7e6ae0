import { describe, expect, it } from 'vitest';
import { parseWebhooks } from './webhooks-config.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('parseWebhooks', () => {
  it('is off by default, with a 60 s ceiling between tries for 24 h', () => {
    expect(parseWebhooks({})).toEqual({ urls: [], secret: undefined, maxRetryIntervalMs: 60_000, retryForMs: 86_400_000 });
  });

  it('takes several comma-separated URLs and the secret', () => {
    const config = parseWebhooks({ WEBHOOK_URL: ' https://a.example/hooks ,http://10.0.0.2:8080/x,', WEBHOOK_SECRET: SECRET });
    expect(config.urls).toEqual(['https://a.example/hooks', 'http://10.0.0.2:8080/x']);
    expect(config.secret).toBe(SECRET);
  });

  it.each([
    ['WEBHOOK_URL', { WEBHOOK_URL: 'ftp://a.example/x', WEBHOOK_SECRET: SECRET }],
    ['WEBHOOK_URL', { WEBHOOK_URL: 'https://a.example/x, not a url', WEBHOOK_SECRET: SECRET }],
    ['WEBHOOK_URL', { WEBHOOK_URL: 'https://user:pass@a.example/x', WEBHOOK_SECRET: SECRET }],
    ['WEBHOOK_URL', { WEBHOOK_URL: `https://a.example/${'x'.repeat(500)}`, WEBHOOK_SECRET: SECRET }],
    ['WEBHOOK_URL', { WEBHOOK_URL: 'https://a.example/x,https://a.example/x', WEBHOOK_SECRET: SECRET }],
    ['WEBHOOK_SECRET', { WEBHOOK_URL: 'https://a.example/x' }],
    ['WEBHOOK_SECRET', { WEBHOOK_URL: 'https://a.example/x', WEBHOOK_SECRET: 'plain-text-secret-of-some-length' }],
    ['WEBHOOK_SECRET', { WEBHOOK_URL: 'https://a.example/x', WEBHOOK_SECRET: `whsec_${Buffer.alloc(8).toString('base64')}` }],
    ['WEBHOOK_SECRET', { WEBHOOK_URL: 'https://a.example/x', WEBHOOK_SECRET: 'whsec_!!!not-base64!!!' }],
    ['WEBHOOK_MAX_RETRY_INTERVAL', { WEBHOOK_MAX_RETRY_INTERVAL: 'soon' }],
    ['WEBHOOK_RETRY_FOR', { WEBHOOK_RETRY_FOR: '0s' }],
  ])('stops with a message naming %s', (name, env) => {
    expect(() => parseWebhooks(env)).toThrow(new RegExp(`^${name} `));
  });
});
