import { createHmac, randomBytes } from 'node:crypto';

/*
 * Recovery codes: the way in when the authenticator app is lost. Each is 60
 * random bits (12 base32 characters), shown once as `xxxx-xxxx-xxxx`, kept
 * only as an HMAC keyed with SECRET and bound to its account, and used up by
 * its first use.
 */

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LENGTH = 12;
const NORMALISED = /^[a-z2-7]{12}$/;

/** Twelve characters from the CSPRNG, five bits each (256 is a multiple of 32: no bias). */
export function generateRecoveryCode(): string {
  const chars = [...randomBytes(LENGTH)].map((byte) => ALPHABET[byte & 31]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
}

/** A code as typed (any case, dashes or spaces anywhere) to its twelve characters; null when it cannot be one. */
export function normaliseRecoveryCode(typed: string): string | null {
  const compact = typed.toLowerCase().replace(/[\s-]/g, '');
  return NORMALISED.test(compact) ? compact : null;
}

/** The stored form: an HMAC keyed with SECRET over the account and the normalised code. */
export function hashRecoveryCode(secret: string, userId: number, normalised: string): string {
  return createHmac('sha256', secret).update(`recovery_code:${userId}:${normalised}`).digest('hex');
}
