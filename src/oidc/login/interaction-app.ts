import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const COOKIE = 'one_auth_app';
/** Its signature, beside it as the provider's cookies have theirs (`<name>.sig`). */
const SIGNATURE = `${COOKIE}.sig`;

/**
 * Which app an interaction's pages were for, kept by the browser: a cookie
 * on the interaction's path holding the app's client id, signed (a keyed
 * hash in `one_auth_app.sig`) and bound to the interaction's uid. Once the
 * interaction is over (finished, then the Back button; or expired), the
 * provider no longer knows it, and its page can still name the app to go
 * back to. Only a name is shown from it, never a link, and only for a
 * client that is still registered.
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
    const attributes = [`Path=${path}`, `Max-Age=${this.ttlSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(this.secure ? ['Secure'] : [])].join(
      '; ',
    );
    const existing = response.getHeader('Set-Cookie');
    const cookies = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    response.setHeader('Set-Cookie', [
      ...cookies,
      `${COOKIE}=${Buffer.from(clientId).toString('base64url')}; ${attributes}`,
      `${SIGNATURE}=${this.mac(uid, clientId)}; ${attributes}`,
    ]);
  }

  /** The client id this browser's cookie names for the interaction `uid`, if its signature holds. */
  recall(request: IncomingMessage, uid: string): string | undefined {
    const pairs = new Map(
      (request.headers.cookie ?? '').split(';').map((part) => {
        const eq = part.indexOf('=');
        return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
      }),
    );
    const encoded = pairs.get(COOKIE);
    const mac = pairs.get(SIGNATURE);
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
