import type { TokenUser } from './token-lookup.js';

/** The headers of a successful token check that a gateway passes on to the service behind it. */
export const USER_ID_HEADER = 'X-User-Id';
export const USER_EMAIL_HEADER = 'X-User-Email';

// A header value is visible ASCII; '%' is the escape itself.
const NOT_HEADER_SAFE = /[^\x21-\x24\x26-\x7e]/;
const NOT_HEADER_SAFE_GLOBAL = /[^\x21-\x24\x26-\x7e]/g;

/**
 * An address as a header value: unchanged when it is visible ASCII without
 * '%' (nearly always), otherwise each other character as percent-encoded
 * UTF-8, so `decodeURIComponent` gives the address back in every case.
 */
export function emailHeaderValue(email: string): string {
  return NOT_HEADER_SAFE.test(email) ? email.replace(NOT_HEADER_SAFE_GLOBAL, (character) => encodeURIComponent(character)) : email;
}

/** Sets the identity headers of the answer through `set` (a platform's response, or node:http's). */
export function setIdentityHeaders(set: (name: string, value: string) => unknown, user: Pick<TokenUser, 'id' | 'email'>): void {
  set(USER_ID_HEADER, String(user.id));
  set(USER_EMAIL_HEADER, emailHeaderValue(user.email));
}
