import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-code.js';

describe('recovery codes', () => {
  it('makes ten distinct codes of 60 random bits, shown as three groups of four', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it('uses every character of the alphabet (no bias toward a part of it)', () => {
    const seen = new Set(Array.from({ length: 50 }, generateRecoveryCodes).flat().join('').replaceAll('-', ''));
    expect(seen.size).toBe(32);
  });

  it('reads a code however it was typed, and refuses what cannot be one', () => {
    expect(normaliseRecoveryCode('ABCD-EFGH-2345')).toBe('abcdefgh2345');
    expect(normaliseRecoveryCode(' abcd efgh 2345 ')).toBe('abcdefgh2345');
    for (const typed of ['', '123456', 'abcd-efgh-234', 'abcd-efgh-23456', 'abcd-efgh-2341', 'abcd_efgh_2345']) {
      expect(normaliseRecoveryCode(typed)).toBeNull();
    }
  });

  it('binds the stored hash to the key and the account', () => {
    const hash = hashRecoveryCode('k'.repeat(32), 1, 'abcdefgh2345');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode('k'.repeat(32), 2, 'abcdefgh2345')).not.toBe(hash);
    expect(hashRecoveryCode('j'.repeat(32), 1, 'abcdefgh2345')).not.toBe(hash);
  });
});
