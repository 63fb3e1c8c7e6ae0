import { createHmac, randomBytes } from 'node:crypto';

/*
 * One-time passwords of authenticator apps: HOTP (RFC 4226) over a time
 * counter (TOTP, RFC 6238) with HMAC-SHA-1, the only algorithm every app
 * supports. A few lines over node:crypto rather than a library: the service
 * needs to know which time step a code matched (to refuse it a second time),
 * and nothing else a library adds.
 */

/** What the service hands out: 6 digits, a new code every 30 s. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps either side of the current one that are still accepted: a slow typist, a clock a little off. */
export const TOTP_WINDOW = 1;
/** 160 bits, the key length RFC 4226 recommends for HMAC-SHA-1. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The code of one counter value (RFC 4226 §5.3: dynamic truncation, then modulo 10^digits). */
export function hotp(secret: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The time step an instant falls in (RFC 6238 §4: T0 = 0). */
export function timeStep(atMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  return Math.floor(atMs / 1000 / periodSeconds);
}

/** The code an app shows at an instant. */
export function totp(secret: Buffer, atMs: number, digits = TOTP_DIGITS, periodSeconds = TOTP_PERIOD_SECONDS): string {
  return hotp(secret, timeStep(atMs, periodSeconds), digits);
}

/**
 * The newest step within the window around `atMs` whose code is `code` and
 * that is later than `usedUpTo` (a step already accepted, or an older one,
 * is never accepted again); null when there is none.
 */
export function matchingStep(secret: Buffer, code: string, atMs: number, usedUpTo: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = timeStep(atMs);
  for (let step = now + TOTP_WINDOW; step >= now - TOTP_WINDOW; step--) {
    if (step > usedUpTo && sameCode(hotp(secret, step), code)) return step;
  }
  return null;
}

/** Compares every digit whatever the first difference, so timing tells nothing. */
function sameCode(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

export function generateTotpSecret(): Buffer {
  return randomBytes(TOTP_SECRET_BYTES);
}

/** RFC 4648 base32 without padding, as authenticator apps take secrets. */
export function toBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function fromBase32(text: string): Buffer {
  const clean = text.toUpperCase().replace(/=+$/, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The Key URI that authenticator apps read from a QR code
 * (`otpauth://totp/Issuer:account?secret=…&issuer=Issuer`): the issuer both
 * in the label and as a parameter, as the format's description asks.
 */
export function otpauthUri(issuer: string, account: string, secretBase32: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: secretBase32,
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${query.toString().replaceAll('+', '%20')}`;
}
