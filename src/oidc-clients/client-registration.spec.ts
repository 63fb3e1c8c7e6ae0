import { describe, expect, it } from 'vitest';
import { applicationTypeOf, type ClientRegistration, redirectUriKind, registrationProblems, withDefaults } from './client-registration.js';

const base = (changes: Partial<ClientRegistration> = {}): ClientRegistration =>
  withDefaults({ client_name: 'App', redirect_uris: ['https://app.example.com/cb'], ...changes });

describe('redirect URIs as SPEC allows them', () => {
  it.each([
    ['https://app.example.com/cb', 'https'],
    ['https://app.example.com:8443/oauth2/callback?tenant=a', 'https'],
    ['http://localhost/cb', 'loopback'],
    ['http://127.0.0.1:8765/cb', 'loopback'],
    ['http://[::1]:3000/cb', 'loopback'],
    ['com.example.app:/oauth2redirect', 'private-use'],
  ])('takes %s as %s', (uri, kind) => {
    expect(redirectUriKind(uri)).toBe(kind);
  });

  it.each([
    'http://app.example.com/cb',
    'http://127.0.0.1.nip.io/cb',
    'https://app.example.com/cb#fragment',
    'https://*.example.com/cb',
    'https://user:pass@app.example.com/cb',
    'javascript:alert(1)',
    'data:text/html,x',
    'file:///etc/passwd',
    'myapp:/cb',
    'com.example.app://host/cb',
    '/cb',
    'https://app.example.com/c b',
  ])('refuses %s', (uri) => {
    expect(['https', 'loopback', 'private-use']).not.toContain(redirectUriKind(uri));
  });

  it('makes a client native when it redirects to an app or only to loopback addresses, web otherwise', () => {
    expect(applicationTypeOf(['https://app.example.com/cb'])).toBe('web');
    expect(applicationTypeOf(['https://app.example.com/cb', 'http://localhost:3000/cb'])).toBe('web');
    expect(applicationTypeOf(['http://127.0.0.1/cb'])).toBe('native');
    expect(applicationTypeOf(['com.example.app:/cb', 'https://app.example.com/cb'])).toBe('native');
  });
});

describe('registrationProblems', () => {
  it('takes a plain registration, its defaults a confidential third-party RS256 client', () => {
    expect(registrationProblems(base())).toEqual([]);
    expect(base()).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', first_party: false, subject_type: 'public' });
  });

  it.each([
    ['client_name', { client_name: ' ' }],
    ['client_name', { client_name: 'x'.repeat(101) }],
    ['redirect_uris', { redirect_uris: [] }],
    ['redirect_uris', { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example.com/${i}`) }],
    ['redirect_uris', { redirect_uris: ['https://a.example.com/cb', 'https://a.example.com/cb'] }],
    ['post_logout_redirect_uris', { post_logout_redirect_uris: ['http://evil.example.com/'] }],
    ['backchannel_logout_uri', { backchannel_logout_uri: 'com.example.app:/logout' }],
    ['backchannel_logout_uri', { backchannel_logout_uri: 'https://app.example.com/logout#x' }],
    ['pkce_optional', { token_endpoint_auth_method: 'none' as const, pkce_optional: true }],
    ['redirect_uris', { subject_type: 'pairwise' as const, redirect_uris: ['https://a.example.com/cb', 'https://b.example.com/cb'] }],
    ['token_endpoint_auth_method', { token_endpoint_auth_method: 'private_key_jwt' as never }],
    ['id_token_signed_response_alg', { id_token_signed_response_alg: 'HS256' as never }],
  ])('names %s', (field, changes) => {
    expect(registrationProblems(base(changes)).map((problem) => problem.field)).toContain(field);
  });
});
