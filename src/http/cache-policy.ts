import type { ServerResponse } from 'node:http';

const API_PREFIX = '/one_auth/api';

/**
 * Answers of the API carry tokens, profiles and account data: no cache may
 * keep them (RFC 6749 §5.1), whatever the route, errors included. Images
 * and documentation, outside /one_auth/api, keep their own caching.
 */
export function forbidCachingOfApi(path: string, response: ServerResponse): void {
  if (!path.startsWith(API_PREFIX)) return;
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Pragma', 'no-cache');
}
