import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import type { Credentials } from '../authorization-header.js';
import type { Verified } from './rfc-basic.strategy.js';
import { RfcTokenStrategy } from './rfc-token.strategy.js';

/** Runs the strategy as passport does: actions attached, then authenticate(); answers the action taken. */
function authenticate(authorization: string | undefined, answer: (credentials: Credentials, done: Verified) => void) {
  const seen: Credentials[] = [];
  const strategy = new RfcTokenStrategy((credentials: Credentials, done: Verified) => {
    seen.push(credentials);
    answer(credentials, done);
  });
  let outcome: unknown;
  Object.assign(strategy, {
    success: (principal: unknown) => (outcome = { success: principal }),
    fail: (status?: number) => (outcome = { fail: status }),
    error: (error: Error) => (outcome = { error: error.message }),
  });
  strategy.authenticate({ headers: { authorization } } as Request);
  return { outcome, seen };
}

const basic = (pair: string) => `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
const accept = (_: Credentials, done: Verified) => done(null, { user: 'principal' });

describe('RfcTokenStrategy', () => {
  it('hands verify `email:token` split at the first colon, and a Bearer token', () => {
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
});
