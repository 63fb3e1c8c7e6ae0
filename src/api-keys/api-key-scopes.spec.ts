import { describe, expect, it } from 'vitest';
import { API_KEY_NAME, parseScopes } from './api-key-scopes.js';

describe('API key scopes and names', () => {
  it('reads a comma-separated list of known scopes, each once, in a fixed order', () => {
    expect(parseScopes('users:write, users:read,users:write')).toEqual(['users:read', 'users:write']);
    expect(parseScopes('introspect')).toEqual(['introspect']);
  });

  it('refuses an empty list and unknown scopes, naming them', () => {
    expect(() => parseScopes('')).toThrow(/scopes must be/);
    expect(() => parseScopes(',')).toThrow(/scopes must be/);
    expect(() => parseScopes('users:read,users:delete')).toThrow(/unknown: users:delete/);
  });

  it('takes names without colons (Basic key_name:key splits at the first one) or spaces', () => {
    for (const name of ['support-desk', 'gateway.prod', 'a', 'ci_1']) expect(API_KEY_NAME.test(name), name).toBe(true);
    for (const name of ['', 'a:b', 'with space', '-lead', 'x'.repeat(65)]) expect(API_KEY_NAME.test(name), name).toBe(false);
  });
});
