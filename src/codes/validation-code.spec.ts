import { describe, expect, it } from 'vitest';
import { generateCode, hashCode, hashForIntent, isLive, MAX_CODE_FAILURES, sameHash, sentRecently } from './validation-code.js';

describe('validation codes', () => {
  it('are six digits, leading zeros included, and vary', () => {
    const codes = Array.from({ length: 2000 }, generateCode);
    expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(1990);
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
  });

  it('hash with the key and the account, so equal codes of two accounts differ at rest', () => {
    expect(hashCode('k1', 1, '123456')).toBe(hashCode('k1', 1, '123456'));
    expect(hashCode('k1', 1, '123456')).not.toBe(hashCode('k1', 2, '123456'));
    expect(hashCode('k1', 1, '123456')).not.toBe(hashCode('k2', 1, '123456'));
    expect(hashCode('k1', 1, '123456')).not.toContain('123456');
  });

  it('bind a code to what it is for: an account code never matches an email change, nor one change another', () => {
    const account = hashForIntent('k', 1, '123456', { purpose: 'account' });
    const toA = hashForIntent('k', 1, '123456', { purpose: 'email_change', newEmail: 'a@example.com' });
    const toB = hashForIntent('k', 1, '123456', { purpose: 'email_change', newEmail: 'b@example.com' });
    expect(account).toBe(hashCode('k', 1, '123456'));
    expect(new Set([account, toA, toB]).size).toBe(3);
    expect(toA).toBe(hashForIntent('k', 1, '123456', { purpose: 'email_change', newEmail: 'a@example.com' }));
  });

  it('compare hashes exactly', () => {
    expect(sameHash('ab', 'ab')).toBe(true);
    expect(sameHash('ab', 'ac')).toBe(false);
    expect(sameHash('ab', 'abc')).toBe(false);
  });

  it('die when they expire or after five wrong guesses', () => {
    const now = 1_800_000_000_000;
    expect(isLive({ expiresAt: now + 1, failedAttempts: 0 }, now)).toBe(true);
    expect(isLive({ expiresAt: now, failedAttempts: 0 }, now)).toBe(false);
    expect(isLive({ expiresAt: now + 60_000, failedAttempts: MAX_CODE_FAILURES - 1 }, now)).toBe(true);
    expect(isLive({ expiresAt: now + 60_000, failedAttempts: MAX_CODE_FAILURES }, now)).toBe(false);
  });

  it('are not mailed again within the resend interval of the last one', () => {
    const now = 1_800_000_000_000;
    expect(sentRecently(null, now, 60_000)).toBe(false);
    expect(sentRecently(now - 59_999, now, 60_000)).toBe(true);
    expect(sentRecently(now - 60_000, now, 60_000)).toBe(false);
  });
});
