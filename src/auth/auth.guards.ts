import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { AccessTokensService, type TokenPrincipal } from './access-tokens.service.js';
import { BAD_PASSWORD_MESSAGE, BAD_TOKEN_MESSAGE } from './auth-messages.js';
import { parseAuthorization } from './authorization-header.js';
import { PASSWORD_STRATEGY } from './strategies/password.strategy.js';

export { BAD_PASSWORD_MESSAGE, BAD_TOKEN_MESSAGE };

// A failed check is a 401 with the endpoint's message; an error while
// checking (database down) goes on to the exception filter as it is.
function handle<T>(message: string, error: unknown, principal: T | false): T {
  if (error) throw error;
  if (!principal) throw new UnauthorizedException(message);
  return principal;
}

@Injectable()
export class PasswordAuthGuard extends AuthGuard(PASSWORD_STRATEGY) {
  override handleRequest<T>(error: unknown, principal: T | false): T {
    return handle(BAD_PASSWORD_MESSAGE, error, principal);
  }
}

/**
 * Who an Authorization header says the request is: `Basic email:token`
 * (RFC 7617) or `Bearer token`; null when it is malformed or the token does
 * not check out (see AccessTokensService.authenticate: unknown, revoked,
 * expired, idle, another address's, or its account not active). The guard
 * below and the token check answered ahead of the platform (platform/token-check-first.ts) both ask
 * through here.
 */
export function tokenPrincipalOf(tokens: AccessTokensService, authorization: string | undefined): Promise<TokenPrincipal | null> {
  const credentials = parseAuthorization(authorization);
  if (!credentials) return Promise.resolve(null);
  return credentials.scheme === 'bearer'
    ? tokens.authenticate(credentials.token)
    : tokens.authenticate(credentials.secret, credentials.userId);
}

/**
 * `Basic email:token` (RFC 7617) or `Bearer token`: the TokenPrincipal goes
 * to `request.user`. It runs on every authenticated request, so it calls the
 * token check directly rather than through passport, whose per-request
 * strategy object, callbacks and promise wrapping cost more than the
 * header's parsing and the token's hash together. The service is found once
 * through the module graph, since the modules whose routes use this guard
 * do not all import the auth module (the profile module does not).
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  private tokens: AccessTokensService | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders; user?: unknown }>();
    const tokens = (this.tokens ??= this.moduleRef.get(AccessTokensService, { strict: false })!);
    const principal = await tokenPrincipalOf(tokens, request.headers.authorization);
    if (!principal) throw new UnauthorizedException(BAD_TOKEN_MESSAGE);
    request.user = principal;
    return true;
  }
}
