import { describe, expect, it } from 'vitest';
import { PayloadCipher } from './payload-cipher.js';

describe('PayloadCipher', () => {
  it('round-trips and never shows the content in the sealed form', () => {
    const cipher = new PayloadCipher('a'.repeat(32));
    const sealed = cipher.seal({ text: 'code 123456' });
    expect(sealed).not.toContain('123456');
    expect(Buffer.from(sealed, 'base64').toString('latin1')).not.toContain('123456');
    expect(cipher.open(sealed)).toEqual({ text: 'code 123456' });
  });

  it('refuses content sealed with another key or tampered with', () => {
    const sealed = new PayloadCipher('a'.repeat(32)).seal({ text: 'x' });
    expect(() => new PayloadCipher('b'.repeat(32)).open(sealed)).toThrow();
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => new PayloadCipher('a'.repeat(32)).open(raw.toString('base64'))).toThrow();
  });

  it('derives a key of its own for each purpose', () => {
    const sealed = new PayloadCipher('a'.repeat(32), 'totp secret').seal('JBSWY3DPEHPK3PXP');
    expect(new PayloadCipher('a'.repeat(32), 'totp secret').open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(() => new PayloadCipher('a'.repeat(32)).open(sealed)).toThrow();
  });
});
