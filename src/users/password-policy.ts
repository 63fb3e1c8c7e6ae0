import { normalizePassword } from '../auth/password-hasher.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

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
  return null;
}
