import { describe, expect, it } from 'vitest';
import { generateCode, hashCode, sameHash } from './validation-code.js';

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

  it('compare hashes exactly', () => {
    expect(sameHash('ab', 'ab')).toBe(true);
    expect(sameHash('ab', 'ac')).toBe(false);
    expect(sameHash('ab', 'abc')).toBe(false);
  });
});
