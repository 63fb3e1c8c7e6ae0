import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth } from '@nestjs/swagger';
import type { IncomingHttpHeaders } from 'node:http';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { BASIC_SCHEME, BEARER_SCHEME } from '../auth/auth.decorators.js';
import { BAD_PASSWORD_MESSAGE } from '../auth/auth-messages.js';
import { AuthService } from '../auth/auth.service.js';
import { parseAuthorization } from '../auth/authorization-header.js';
import { clientInfoOf } from '../http/client-info.js';
import { ApiDatabaseUnavailable, ApiErrorResponse, ApiRateLimited, ApiUnauthorized } from '../openapi/api-responses.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { StepUp } from '../second-factor/step-up.service.js';
import { UsersService } from '../users/users.service.js';

export const SIGN_IN_AGAIN_TO_DELETE_MESSAGE = 'Sign in again to delete the account';

/**
 * Who may delete an account (20): `Basic email:password`, as a login, under
 * the login limits. An account without a password (made by a sign-in with
 * another provider) has none to give: it sends a token instead (Basic
 * email:token or Bearer), which must come from a sign-in less than 10
 * minutes old (StepUp), else 403. A token of an account that has a password
 * is no way around it: it is taken for a wrong password. The handler gets
 * the Account, never its password hash.
 */
@Injectable()
export class AccountOwnerGuard implements CanActivate {
  constructor(
    private readonly tokens: AccessTokensService,
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly stepUp: StepUp,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders; user?: unknown }>();
    const credentials = parseAuthorization(request.headers.authorization);
    if (!credentials) throw new UnauthorizedException(BAD_PASSWORD_MESSAGE);
    const principal =
      credentials.scheme === 'bearer'
        ? await this.tokens.authenticate(credentials.token)
        : await this.tokens.authenticate(credentials.secret, credentials.userId);
    if (principal && !(await this.users.hasPassword(principal.user.id))) {
      await this.stepUp.requireRecentSignIn(principal.tokenId, SIGN_IN_AGAIN_TO_DELETE_MESSAGE);
      request.user = await this.users.findById(principal.user.id);
      return true;
    }
    if (credentials.scheme !== 'basic') throw new UnauthorizedException(BAD_PASSWORD_MESSAGE);
    const account = await this.auth.verifyPassword(credentials.userId, credentials.secret, clientInfoOf(request));
    if (!account) throw new UnauthorizedException(BAD_PASSWORD_MESSAGE);
    request.user = account;
    return true;
  }
}

/** Requires the account's owner as AccountOwnerGuard says; declares what the check itself can answer. */
export function AccountOwnerAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(AccountOwnerGuard),
    ApiBasicAuth(BASIC_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorized(BAD_PASSWORD_MESSAGE),
    ApiErrorResponse(403, 'An account without a password, and a token from a sign-in 10 minutes old or more: sign in again', [
      SIGN_IN_AGAIN_TO_DELETE_MESSAGE,
    ]),
    ApiRateLimited('Too many failed logins', TOO_MANY_LOGINS_MESSAGE),
    ApiDatabaseUnavailable(),
  );
}
