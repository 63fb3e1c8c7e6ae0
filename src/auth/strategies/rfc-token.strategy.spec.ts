import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import type { AccessTokensService } from '../access-tokens.service.js';
import type { Credentials } from '../authorization-header.js';
import { carryTokenCheckOutcome, TOKEN_REFUSED, type TokenCheckOutcome } from '../token-check-outcome.js';
import type { Verified } from './rfc-basic.strategy.js';
import { RfcTokenStrategy } from './rfc-token.strategy.js';

const TOKENS = { name: 'the token service of the route' } as unknown as AccessTokensService;

/** Runs the strategy as passport does: actions attached, then authenticate(); answers the action taken and what verify saw. */
function authenticate(
  authorization: string | undefined,
  answer: (credentials: Credentials, done: Verified) => void,
  { checked, options = { tokens: TOKENS } }: { checked?: TokenCheckOutcome; options?: { tokens?: AccessTokensService } } = {},
) {
  const seen: unknown[] = [];
  const strategy = new RfcTokenStrategy((service, credentials, done) => {
    seen.push(credentials);
    expect(service).toBe(TOKENS);
    answer(credentials, done);
  });
  let outcome: unknown;
  Object.assign(strategy, {
    success: (principal: unknown) => (outcome = { success: principal }),
    fail: (status?: number) => (outcome = { fail: status }),
    error: (error: Error) => (outcome = { error: error.message }),
  });
  const request = { headers: { authorization } } as Request;
  if (checked) carryTokenCheckOutcome(request, checked);
  strategy.authenticate(request, options);
  return { outcome, seen };
}

const basic = (pair: string) => `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
const accept = (_: Credentials, done: Verified) => done(null, { user: 'principal' });

describe('RfcTokenStrategy', () => {
  it("hands verify the route's token service with `email:token` split at the first colon, or a Bearer token", () => {
    expect(authenticate(basic('é@example.com:to:ken'), accept)).toEqual({
      outcome: { success: { user: 'principal' } },
      seen: [{ scheme: 'basic', userId: 'é@example.com', secret: 'to:ken' }],
    });
    expect(authenticate('bearer abc.DEF-123', accept)).toEqual({
      outcome: { success: { user: 'principal' } },
      seen: [{ scheme: 'bearer', token: 'abc.DEF-123' }],
    });
  });

  it('fails with 401, without verifying, on a missing, malformed or other-scheme header', () => {
    for (const header of [undefined, '', 'Basic !!!', basic('no-colon'), basic(':token'), 'Digest abc', 'Bearer a b']) {
      expect(authenticate(header, accept)).toEqual({ outcome: { fail: 401 }, seen: [] });
    }
  });

  it('fails with 401 when verify finds no principal, and passes an error on as an error', () => {
    expect(authenticate('Bearer abc', (_, done) => done(null, null)).outcome).toEqual({ fail: 401 });
    expect(authenticate('Bearer abc', (_, done) => done(new Error('database down'))).outcome).toEqual({ error: 'database down' });
  });

  it('takes the outcome of a check made ahead of the platform as it is, without verifying again', () => {
    expect(authenticate('Bearer abc', accept, { checked: TOKEN_REFUSED })).toEqual({ outcome: { fail: 401 }, seen: [] });
    expect(authenticate('Bearer abc', accept, { checked: { error: new Error('lookup failed') } })).toEqual({
      outcome: { error: 'lookup failed' },
      seen: [],
    });
  });

  it('is an error, not a refusal, when the guard hands it no token service', () => {
    expect(authenticate('Bearer abc', accept, { options: {} }).outcome).toEqual({
      error: 'the token strategy was called without a token service',
    });
  });
});
