import { describe, expect, it } from 'vitest';
import { parseSocialReturnUrls } from './social-config.js';

describe('parseSocialReturnUrls', () => {
  it('is empty when unset: no sign-in with another provider can return anywhere', () => {
    expect(parseSocialReturnUrls({})).toEqual([]);
    expect(parseSocialReturnUrls({ SOCIAL_RETURN_URLS: ' , ' })).toEqual([]);
  });

  it('takes https URLs, http on loopback and private-use schemes, exactly as written', () => {
    const urls = parseSocialReturnUrls({
      SOCIAL_RETURN_URLS:
        ' https://app.example.com/signed-in?from=one_auth, http://127.0.0.1:5173/cb,http://localhost/cb, com.example.app:/signed-in ',
    });
    expect(urls).toEqual([
      'https://app.example.com/signed-in?from=one_auth',
      'http://127.0.0.1:5173/cb',
      'http://localhost/cb',
      'com.example.app:/signed-in',
    ]);
  });

  it.each([
    'http://app.example.com/cb',
    'https://app.example.com/cb#fragment',
    'https://user:pass@app.example.com/cb',
    'javascript:alert(1)',
    'myapp:/cb',
    '/relative/path',
    'not a url',
    `https://app.example.com/${'a'.repeat(2000)}`,
  ])('stops with a message naming SOCIAL_RETURN_URLS for %s', (url) => {
    expect(() => parseSocialReturnUrls({ SOCIAL_RETURN_URLS: url })).toThrow(/^SOCIAL_RETURN_URLS must be/);
  });

  it('refuses a URL named twice', () => {
    expect(() => parseSocialReturnUrls({ SOCIAL_RETURN_URLS: 'https://a.example/cb,https://a.example/cb' })).toThrow(
      /^SOCIAL_RETURN_URLS names/,
    );
  });
});
