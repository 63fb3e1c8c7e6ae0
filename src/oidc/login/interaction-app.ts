import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const COOKIE = 'one_auth_app';

/**
 * Which app an interaction's pages were for, kept by the browser: a cookie
 * on the interaction's path holding the app's client id and a keyed hash
 * that binds it to the interaction. Once the interaction is over (finished,
 * then the Back button; or expired), the provider no longer knows it, and
 * its page can still name the app to go back to. Only a name is shown from
 * it, never a link, and only for a client that is still registered.
 */
export class InteractionApp {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly secure: boolean,
    private readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'one_auth', 'oidc interaction app', 32));
  }

  /** Remembers `clientId` for the interaction whose pages live under `path`. */
  remember(response: ServerResponse, path: string, uid: string, clientId: string): void {
    const value = `${Buffer.from(clientId).toString('base64url')}.${this.mac(uid, clientId)}`;
    const attributes = [`Path=${path}`, `Max-Age=${this.ttlSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(this.secure ? ['Secure'] : [])];
    const existing = response.getHeader('Set-Cookie');
    const cookies = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    response.setHeader('Set-Cookie', [...cookies, `${COOKIE}=${value}; ${attributes.join('; ')}`]);
  }

  /** The client id this browser's cookie names for the interaction `uid`, if its hash holds. */
  recall(request: IncomingMessage, uid: string): string | undefined {
    const pair = (request.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${COOKIE}=`));
    const [encoded, mac] = (pair?.slice(COOKIE.length + 1) ?? '').split('.');
    if (!encoded || !mac) return undefined;
    const clientId = Buffer.from(encoded, 'base64url').toString();
    const expected = Buffer.from(this.mac(uid, clientId));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? clientId : undefined;
  }

  private mac(uid: string, clientId: string): string {
    return createHmac('sha256', this.key).update(`${uid}\n${clientId}`).digest('base64url');
  }
}
