import { describe, expect, it } from 'vitest';
import { checkProviderInput, GITHUB_WEB, type ProviderInput } from './provider-input.js';

const base: ProviderInput = { id: 'google', issuer: 'https://accounts.google.com', clientId: 'abc', clientSecret: 'shh' };

describe('checkProviderInput', () => {
  it('fills in an OpenID provider’s defaults: kind oidc, the id capitalised as its name, addresses not trusted', () => {
    expect(checkProviderInput(base)).toEqual({
      slug: 'google',
      kind: 'oidc',
      issuer: 'https://accounts.google.com',
      clientId: 'abc',
      clientSecret: 'shh',
      name: 'Google',
      trustEmail: false,
    });
  });

  it('gives GitHub its web address and name, and takes a GitHub Enterprise Server’s', () => {
    expect(checkProviderInput({ ...base, id: 'github', kind: 'github', issuer: undefined })).toMatchObject({
      kind: 'github',
      issuer: GITHUB_WEB,
      name: 'GitHub',
    });
    expect(checkProviderInput({ ...base, id: 'ghe', kind: 'github', issuer: 'https://github.example.com/' }).issuer).toBe(
      'https://github.example.com',
    );
  });

  it('takes http only on a loopback address', () => {
    expect(checkProviderInput({ ...base, issuer: 'http://127.0.0.1:4000' }).issuer).toBe('http://127.0.0.1:4000');
    expect(checkProviderInput({ ...base, issuer: 'http://localhost:4000/realms/x' }).issuer).toBe('http://localhost:4000/realms/x');
  });

  it.each([
    ['id', { id: 'Google' }],
    ['id', { id: '-google' }],
    ['id', { id: 'g'.repeat(33) }],
    ['kind', { kind: 'saml' }],
    ['issuer', { issuer: '' }],
    ['issuer', { issuer: 'http://accounts.example.com' }],
    ['issuer', { issuer: 'https://accounts.example.com?x=1' }],
    ['issuer', { issuer: 'https://user:pass@accounts.example.com' }],
    ['issuer', { issuer: 'not a url' }],
    ['client_id', { clientId: ' ' }],
    ['client_secret', { clientSecret: '' }],
    ['client_secret', { clientSecret: 'line\nbreak' }],
    ['name', { name: 'x'.repeat(65) }],
  ])('refuses a bad %s', (field, change) => {
    expect(() => checkProviderInput({ ...base, ...change })).toThrow(expect.objectContaining({ field }));
  });
});
