import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The CSRF token of a login page's forms: a keyed hash of the interaction's
 * uid, so it is bound to that interaction (a token taken from another one,
 * or another deployment, does not pass) and needs no storage.
 */
export class InteractionCsrf {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'one_auth', 'oidc login csrf', 32));
  }

  tokenFor(uid: string): string {
    return createHmac('sha256', this.key).update(`interaction:${uid}`).digest('base64url');
  }

  matches(uid: string, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.tokenFor(uid));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
