import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { AccessTokensService } from './access-tokens.service.js';
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
    const credentials = parseAuthorization(request.headers.authorization);
    const tokens = (this.tokens ??= this.moduleRef.get(AccessTokensService, { strict: false })!);
    const principal =
      credentials &&
      (credentials.scheme === 'bearer'
        ? await tokens.authenticate(credentials.token)
        : await tokens.authenticate(credentials.secret, credentials.userId));
    if (!principal) throw new UnauthorizedException(BAD_TOKEN_MESSAGE);
    request.user = principal;
    return true;
  }
}
