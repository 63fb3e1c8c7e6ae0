import type { ServerResponse } from 'node:http';

const API_PREFIXES = ['/one_auth/api', '/one_auth/admin/api'];

/** What forbids caching, as name and value in turn. */
export const NO_STORE_HEADERS: readonly string[] = ['Cache-Control', 'no-store', 'Pragma', 'no-cache'];

/**
 * Answers of the API (and of the admin API) carry tokens, profiles and account data: no cache may
 * keep them (RFC 6749 §5.1), whatever the route, errors included. Images
 * and documentation, outside /one_auth/api, keep their own caching.
 */
export function forbidCachingOfApi(path: string, response: ServerResponse): void {
  if (!API_PREFIXES.some((prefix) => path.startsWith(prefix))) return;
  for (let i = 0; i < NO_STORE_HEADERS.length; i += 2) response.setHeader(NO_STORE_HEADERS[i], NO_STORE_HEADERS[i + 1]);
}
