/** What an Authorization header carries, once parsed. */
export type Credentials = { scheme: 'basic'; userId: string; secret: string } | { scheme: 'bearer'; token: string };

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses `Basic base64(user ":" secret)` per RFC 7617 (UTF-8, split at the
 * first colon, so a secret may contain colons) and `Bearer <token>`.
 * Anything malformed is null: the caller answers 401.
 */
export function parseAuthorization(header: string | undefined): Credentials | null {
  if (!header || header.length > 4096) return null;
  const match = /^([A-Za-z]+) +(\S+)\s*$/.exec(header);
  if (!match || !TOKEN68.test(match[2])) return null;
  const scheme = match[1].toLowerCase();
  if (scheme === 'bearer') return { scheme, token: match[2] };
  if (scheme !== 'basic' || !/^[A-Za-z0-9+/]+={0,2}$/.test(match[2])) return null;
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(match[2], 'base64'));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return null;
  return { scheme, userId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
