import { describe, expect, it } from 'vitest';
import { parseOidc } from './oidc-config.js';
import { parseConfig } from './parse-config.js';

const DAY = 86_400_000;

describe('parseOidc', () => {
  it('puts the issuer under PUBLIC_URL by default, with the lifetimes of SPEC', () => {
    expect(parseOidc({}, 'https://id.example.com', 7 * DAY)).toEqual({
      issuer: 'https://id.example.com/one_auth/oidc',
      mountPath: '/one_auth/oidc',
      accessTokenTtlMs: 3_600_000,
      refreshTokenTtlMs: 30 * DAY,
      refreshTokenIdleTtlMs: 7 * DAY,
      sessionTtlMs: 14 * DAY,
    });
  });

  it('takes an issuer of its own and the OIDC_* lifetimes', () => {
    const config = parseOidc(
      { OIDC_ISSUER: 'https://login.example.com/sso', OIDC_ACCESS_TOKEN_TTL: '5m', OIDC_REFRESH_TOKEN_TTL: '90d', OIDC_SESSION_TTL: '1d' },
      'https://id.example.com',
      3_600_000,
    );
    expect(config).toMatchObject({ issuer: 'https://login.example.com/sso', mountPath: '/sso', accessTokenTtlMs: 300_000 });
    expect(config.refreshTokenTtlMs).toBe(90 * DAY);
    expect(config.sessionTtlMs).toBe(DAY);
  });

  it('takes TOKEN_IDLE_TTL as the refresh tokens’ idle timeout', () => {
    expect(parseConfig({ SECRET: 'x'.repeat(32), TOKEN_IDLE_TTL: '2d' }).oidc.refreshTokenIdleTtlMs).toBe(2 * DAY);
  });

  it.each([
    ['OIDC_ISSUER', { OIDC_ISSUER: 'ftp://example.com/oidc' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'not a url' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'https://example.com' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'https://example.com/' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'https://example.com/oidc/' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'https://example.com/oidc?x=1' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'https://example.com/oidc#top' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'https://example.com/one_auth/api/oidc' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'https://example.com/one_auth' }],
    ['OIDC_ACCESS_TOKEN_TTL', { OIDC_ACCESS_TOKEN_TTL: 'soon' }],
    ['OIDC_REFRESH_TOKEN_TTL', { OIDC_REFRESH_TOKEN_TTL: '0' }],
    ['OIDC_SESSION_TTL', { OIDC_SESSION_TTL: '-1d' }],
  ])('stops with a message naming %s', (name, env) => {
    expect(() => parseOidc(env, 'https://example.com', DAY)).toThrow(new RegExp(`^${name}`));
  });
});
