import type { AccessTokensService, TokenPrincipal } from './access-tokens.service.js';
import type { Credentials } from './authorization-header.js';

/**
 * The one check of a token's credentials, `Basic email:token` or `Bearer
 * token` as parseAuthorization gives them: the principal, or null when the
 * token does not check out (AccessTokensService.authenticate: unknown,
 * revoked, expired, idle, another address's, or its account not active).
 * The token strategy verifies Nest's routes through it, and the token check
 * answered ahead of the platform (platform/token-check-first.ts) its own.
 */
export function verifyTokenCredentials(tokens: AccessTokensService, credentials: Credentials): Promise<TokenPrincipal | null> {
  return credentials.scheme === 'bearer'
    ? tokens.authenticate(credentials.token)
    : tokens.authenticate(credentials.secret, credentials.userId);
}
