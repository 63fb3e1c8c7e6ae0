import { describe, expect, it } from 'vitest';
import { fromBase32, hotp, matchingStep, otpauthUri, timeStep, toBase32, totp } from './totp.js';

// RFC 6238 Appendix B (SHA-1 column) and RFC 4226 Appendix D: the 20-byte ASCII secret.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('HOTP (RFC 4226)', () => {
  it.each([
    [0, '755224'],
    [1, '287082'],
    [2, '359152'],
    [3, '969429'],
    [4, '338314'],
    [5, '254676'],
    [6, '287922'],
    [7, '162583'],
    [8, '399871'],
    [9, '520489'],
  ])('gives the published code for counter %i', (counter, code) => {
    expect(hotp(RFC_SECRET, counter)).toBe(code);
  });
});

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '0000000000000001', '94287082'],
    [1111111109, '00000000023523EC', '07081804'],
    [1111111111, '00000000023523ED', '14050471'],
    [1234567890, '000000000273EF07', '89005924'],
    [2000000000, '0000000003F940AA', '69279037'],
    [20000000000, '0000000027BC86AA', '65353130'],
  ])('gives the published 8-digit SHA-1 code at %i s (T = %s)', (seconds, hexStep, code) => {
    expect(timeStep(seconds * 1000)).toBe(parseInt(hexStep, 16));
    expect(totp(RFC_SECRET, seconds * 1000, 8)).toBe(code);
  });

  it('gives 6 digits by default: the last 6 of the published codes', () => {
    expect(totp(RFC_SECRET, 59_000)).toBe('287082');
    expect(totp(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
  });

  describe('matchingStep', () => {
    const at = 1_234_567_890_000;
    const now = timeStep(at);
    const codeOf = (step: number) => hotp(RFC_SECRET, step);

    it('accepts the step before, the current one and the one after', () => {
      for (const step of [now - 1, now, now + 1]) expect(matchingStep(RFC_SECRET, codeOf(step), at, 0)).toBe(step);
    });

    it('refuses steps outside the window', () => {
      for (const step of [now - 3, now - 2, now + 2, now + 3]) {
        // Unless the same six digits happen to belong to a step inside it.
        if ([now - 1, now, now + 1].some((inside) => codeOf(inside) === codeOf(step))) continue;
        expect(matchingStep(RFC_SECRET, codeOf(step), at, 0)).toBeNull();
      }
    });

    it('refuses a step already used, and any older one', () => {
      expect(matchingStep(RFC_SECRET, codeOf(now), at, now)).toBeNull();
      expect(matchingStep(RFC_SECRET, codeOf(now - 1), at, now)).toBeNull();
      expect(matchingStep(RFC_SECRET, codeOf(now + 1), at, now)).toBe(now + 1);
    });

    it('refuses anything but six digits', () => {
      for (const code of ['', '12345', '1234567', 'abcdef', ` ${codeOf(now)}`, '１２３４５６']) {
        expect(matchingStep(RFC_SECRET, code, at, 0)).toBeNull();
      }
    });
  });
});

describe('base32 and the Key URI', () => {
  it('encodes as RFC 4648 does (test vectors of §10, without padding) and back', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(toBase32(Buffer.from(plain))).toBe(encoded);
      expect(fromBase32(encoded).toString()).toBe(plain);
    }
    expect(toBase32(RFC_SECRET)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('names the issuer in the label and as a parameter, escaped', () => {
    expect(otpauthUri('Acme Co', 'jo@example.com', 'JBSWY3DPEHPK3PXP')).toBe(
      'otpauth://totp/Acme%20Co:jo%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30',
    );
  });
});
