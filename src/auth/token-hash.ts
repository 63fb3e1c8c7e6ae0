import { hash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: the bearer secret handed to the client once. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are looked up by, and only stored as, their SHA-256 (one-shot: no Hash object per request). */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}
