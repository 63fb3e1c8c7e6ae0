import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AccessTokensService } from './access-tokens.service.js';
import { BAD_PASSWORD_MESSAGE, BAD_TOKEN_MESSAGE } from './auth-messages.js';
import { PASSWORD_STRATEGY } from './strategies/password.strategy.js';
import type { TokenAuthenticateOptions } from './strategies/rfc-token.strategy.js';
import { TOKEN_STRATEGY } from './strategies/token.strategy.js';

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
 * `Basic email:token` or `Bearer token` (TokenStrategy): the TokenPrincipal
 * goes to `request.user`. The strategy checks with this application's token
 * service, found once through the module graph (the modules whose routes use
 * this guard do not all import the auth module).
 */
@Injectable()
export class TokenAuthGuard extends AuthGuard(TOKEN_STRATEGY) {
  private authenticateOptions: TokenAuthenticateOptions | undefined;

  constructor(private readonly moduleRef: ModuleRef) {
    super();
  }

  override getAuthenticateOptions(): TokenAuthenticateOptions {
    return (this.authenticateOptions ??= { tokens: this.moduleRef.get(AccessTokensService, { strict: false }) });
  }

  override handleRequest<T>(error: unknown, principal: T | false): T {
    return handle(BAD_TOKEN_MESSAGE, error, principal);
  }
}
