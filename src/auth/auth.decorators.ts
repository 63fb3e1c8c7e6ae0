import { applyDecorators, createParamDecorator, type ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth } from '@nestjs/swagger';
import { ApiDatabaseUnavailable, ApiRateLimited, ApiUnauthorized } from '../openapi/api-responses.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { BAD_PASSWORD_MESSAGE, BAD_TOKEN_MESSAGE, PasswordAuthGuard, TokenAuthGuard } from './auth.guards.js';

export const BASIC_SCHEME = 'basic';
export const BEARER_SCHEME = 'bearer';

/**
 * Requires `Basic email:password`; the handler gets the Account, never its
 * password hash. Declares what the check itself can answer: 401, 429 (login
 * limits), 503.
 */
export function PasswordAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(PasswordAuthGuard),
    ApiBasicAuth(BASIC_SCHEME),
    ApiUnauthorized(BAD_PASSWORD_MESSAGE),
    ApiRateLimited('Too many failed logins', TOO_MANY_LOGINS_MESSAGE),
    ApiDatabaseUnavailable(),
  );
}

/**
 * Requires `Basic email:token` (or `Bearer token`); the handler gets a
 * TokenPrincipal. Declares what the check itself can answer: 401, 503.
 */
export function TokenAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(TokenAuthGuard),
    ApiBasicAuth(BASIC_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorized(BAD_TOKEN_MESSAGE),
    ApiDatabaseUnavailable(),
  );
}

/** Whoever the guard let in. */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<{ user: unknown }>().user;
});
