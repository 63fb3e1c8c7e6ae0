import type { OidcConfig } from './app-config.js';
import { ConfigError, parseDuration } from './parse-config.js';

type Env = Record<string, string | undefined>;

/** Paths the service itself answers: the provider is never mounted on or inside one of them. */
const SERVICE_PATHS = ['/one_auth/api', '/one_auth/admin', '/one_auth/docs', '/one_auth/images', '/one_auth/health', '/one_auth/metrics'];

/**
 * The OpenID Provider (42–50): its issuer and the lifetimes of what it
 * issues. The issuer's path is where the provider is mounted in this
 * service, so it must be a path of its own: never `/` (the provider answers
 * every route under its mount) and never inside the API's paths.
 */
export function parseOidc(env: Env, publicUrl: string, tokenIdleTtlMs: number): OidcConfig {
  const raw = env.OIDC_ISSUER?.trim() || `${publicUrl}/one_auth/oidc`;
  let issuer: URL | undefined;
  try {
    issuer = new URL(raw);
  } catch {
    issuer = undefined;
  }
  if (!issuer || !['http:', 'https:'].includes(issuer.protocol) || !issuer.hostname || issuer.search || issuer.hash || raw.includes('#')) {
    throw new ConfigError(`OIDC_ISSUER must be an absolute http(s) URL without query or fragment, got "${raw}"`);
  }
  const mountPath = issuer.pathname;
  if (mountPath === '/' || mountPath.endsWith('/') || !/^(\/[A-Za-z0-9._~-]+)+$/.test(mountPath)) {
    throw new ConfigError(`OIDC_ISSUER must end in a path of its own such as /one_auth/oidc (not / and no trailing slash), got "${raw}"`);
  }
  const clash = SERVICE_PATHS.find((path) => mountPath === path || mountPath.startsWith(`${path}/`) || path.startsWith(`${mountPath}/`));
  if (clash) throw new ConfigError(`OIDC_ISSUER's path ${mountPath} overlaps the service's own ${clash}`);
  return {
    issuer: `${issuer.origin}${mountPath}`,
    mountPath,
    accessTokenTtlMs: parseDuration(env, 'OIDC_ACCESS_TOKEN_TTL', '1h'),
    refreshTokenTtlMs: parseDuration(env, 'OIDC_REFRESH_TOKEN_TTL', '30d'),
    refreshTokenIdleTtlMs: tokenIdleTtlMs,
    sessionTtlMs: parseDuration(env, 'OIDC_SESSION_TTL', '14d'),
  };
}
