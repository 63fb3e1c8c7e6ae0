import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: the bearer secret handed to the client once. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are looked up by, and only stored as, their SHA-256. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
