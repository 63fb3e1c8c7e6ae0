import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/*
 * The rules of a validation code, apart from where codes are kept: what a
 * code looks like, how it is bound to its account and purpose, and when it
 * can still be used or must not be sent again.
 */

export const CODE_PATTERN = /^\d{6}$/;
/** What a wrong, expired, used or exhausted code answers, whatever it was for. */
export const INVALID_CODE_MESSAGE = 'Invalid code';
/** Wrong guesses that kill a code. */
export const MAX_CODE_FAILURES = 5;

/**
 * What a code may be used for. The intent is bound into the code's hash and
 * stored beside it: a code mailed for an email change never activates or
 * resets an account, and an account code never changes an email.
 */
export type CodeIntent = { purpose: 'account' } | { purpose: 'email_change'; newEmail: string };
export const ACCOUNT_CODE: CodeIntent = { purpose: 'account' };

/** The address an intent is bound to: the new email of a change, '' for the account's own purposes. */
export const targetOf = (intent: CodeIntent): string => (intent.purpose === 'email_change' ? intent.newEmail : '');

/** Six digits from the CSPRNG, leading zeros kept. */
export function generateCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Codes are kept only as an HMAC keyed with SECRET and bound to the account. */
export function hashCode(secret: string, userId: number, code: string): string {
  return createHmac('sha256', secret).update(`${userId}:${code}`).digest('hex');
}

/** The hash of a code for an intent: an account code as it always was, any other bound to its purpose and address. */
export function hashForIntent(secret: string, userId: number, code: string, intent: CodeIntent): string {
  const subject = intent.purpose === 'account' ? code : `${intent.purpose}:${targetOf(intent)}:${code}`;
  return hashCode(secret, userId, subject);
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether a stored code can still be used: not expired, not killed by wrong guesses. */
export function isLive(code: { expiresAt: number; failedAttempts: number }, now: number): boolean {
  return code.expiresAt > now && code.failedAttempts < MAX_CODE_FAILURES;
}

/** Whether a code went out so recently that a repeat request keeps it instead of mailing another. */
export function sentRecently(codeSentAt: number | null, now: number, resendIntervalMs: number): boolean {
  return codeSentAt !== null && now - codeSentAt < resendIntervalMs;
}
