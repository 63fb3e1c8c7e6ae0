import { describe, expect, it } from 'vitest';
import { parsePasskeys } from './passkeys-config.js';

const ANDROID = `android:apk-key-hash:${'A'.repeat(43)}`;

describe('parsePasskeys', () => {
  it('takes the relying party from PUBLIC_URL by default', () => {
    expect(parsePasskeys({}, 'https://auth.example.com:8443/base')).toEqual({
      rpId: 'auth.example.com',
      origins: ['https://auth.example.com:8443'],
      rpName: 'one_auth',
    });
  });

  it('takes a parent domain, several web origins and an app origin', () => {
    const config = parsePasskeys(
      {
        PASSKEY_RP_ID: 'Example.com',
        PASSKEY_ORIGINS: ` https://example.com, https://app.example.com ,${ANDROID},`,
        PASSKEY_RP_NAME: 'Acme',
      },
      'https://auth.example.com',
    );
    expect(config).toEqual({ rpId: 'example.com', origins: ['https://example.com', 'https://app.example.com', ANDROID], rpName: 'Acme' });
  });

  it.each([
    ['PASSKEY_RP_ID', { PASSKEY_RP_ID: 'https://example.com' }],
    ['PASSKEY_RP_ID', { PASSKEY_RP_ID: 'example.com:443' }],
    ['PASSKEY_ORIGINS', { PASSKEY_ORIGINS: 'https://example.com/login' }],
    ['PASSKEY_ORIGINS', { PASSKEY_ORIGINS: 'ftp://example.com' }],
    ['PASSKEY_ORIGINS', { PASSKEY_ORIGINS: 'not an origin' }],
    ['PASSKEY_ORIGINS', { PASSKEY_ORIGINS: 'https://evil.example' }],
    ['PASSKEY_ORIGINS', { PASSKEY_ORIGINS: 'https://notexample.com' }],
    ['PASSKEY_ORIGINS', { PASSKEY_ORIGINS: 'android:apk-key-hash:short' }],
    ['PASSKEY_RP_NAME', { PASSKEY_RP_NAME: 'x'.repeat(65) }],
  ])('stops with a message naming %s', (name, env) => {
    expect(() => parsePasskeys(env, 'https://example.com')).toThrow(new RegExp(`^${name}`));
  });
});
