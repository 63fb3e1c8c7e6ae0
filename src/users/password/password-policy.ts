import { normalizePassword } from './password-hasher.js';
import { isCommonPassword } from './common-passwords.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-limits.js';

/**
 * NIST SP 800-63B style: length counts (in code points, after NFKC, never
 * truncated), composition rules do not. Returns why a password is refused,
 * or null when it is acceptable for this email.
 */
export function passwordProblem(password: string, email: string): string | null {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const localPart = email.slice(0, email.lastIndexOf('@')).toLowerCase();
  if (localPart.length >= 3 && normalized.toLowerCase().includes(localPart)) {
    return 'password must not contain the name part of your email address';
  }
  if (isCommonPassword(normalized)) return 'password is too common, please choose another';
  return null;
}
