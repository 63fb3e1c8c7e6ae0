import { dictionary } from '@zxcvbn-ts/language-common';
import { MIN_PASSWORD_LENGTH } from './password-limits.js';

let common: Set<string> | undefined;

/**
 * Whether a password is on zxcvbn's list of the most common passwords
 * (about 50,000 from real breaches), compared case-insensitively.
 */
export function isCommonPassword(normalized: string): boolean {
  common ??= new Set(dictionary['passwords-common'].filter((entry) => [...entry].length >= MIN_PASSWORD_LENGTH));
  return common.has(normalized.toLowerCase());
}
