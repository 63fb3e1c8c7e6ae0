import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';

/**
 * Seals queued mail content (it carries codes) with AES-256-GCM under a key
 * derived from SECRET, so the outbox table never holds a code in clear.
 * Other secrets kept at rest (TOTP secrets) are sealed the same way under a
 * key of their own: `purpose` is the HKDF info that tells the keys apart.
 */
export class PayloadCipher {
  /** A key object made once: handed raw bytes, every cipher would import the key anew (about half of opening a small payload). */
  private readonly key: KeyObject;

  constructor(secret: string, purpose = 'mail outbox payload') {
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'one_auth', purpose, 32)));
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open<T>(sealed: string): T {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as T;
  }
}
