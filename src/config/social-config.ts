import { ConfigError } from './parse-config.js';

type Env = Record<string, string | undefined>;

/** Longer URLs do not fit the sign-in flows' column. */
const MAX_RETURN_URL_LENGTH = 2000;
/** A private-use scheme of a native app (RFC 8252 §7.1): reverse domain name, so at least one dot. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL is `http` on a loopback address: allowed where only a process on the same machine can listen. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Where a sign-in with another provider may send the browser back to
 * (SOCIAL_RETURN_URLS): exact URLs, compared as written. Each is `https`,
 * `http` on a loopback address (a native app's local listener, RFC 8252
 * §7.3), or a native app's private-use scheme (`com.example.app:/signed-in`),
 * without a fragment (the answer's parameters go in the query). The rules
 * of the redirect URIs of an OpenID client, since a one-time login code
 * travels to these URLs.
 */
export function parseSocialReturnUrls(env: Env): string[] {
  const urls = (env.SOCIAL_RETURN_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    if (!isReturnUrl(url)) {
      throw new ConfigError(
        'SOCIAL_RETURN_URLS must be a comma-separated list of absolute URLs: https, http on localhost/127.0.0.1/[::1], ' +
          `or an app's private-use scheme (com.example.app:/path); no fragment, no user:password, at most ${MAX_RETURN_URL_LENGTH} characters; got "${url}"`,
      );
    }
  }
  if (new Set(urls).size !== urls.length) throw new ConfigError('SOCIAL_RETURN_URLS names the same URL twice');
  return urls;
}

function isReturnUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (raw.length > MAX_RETURN_URL_LENGTH || raw.includes('#') || url.username || url.password) return false;
  if (url.protocol === 'https:') return url.hostname !== '';
  return isLoopbackHttp(url) || PRIVATE_USE_SCHEME.test(url.protocol);
}
