import { UnauthorizedException } from '@nestjs/common';
import { type UserProfileDto, toUserProfile } from '../profile/dto/user-profile.dto.js';
import type { AccessTokensService, TokenPrincipal } from './access-tokens.service.js';
import { BAD_TOKEN_MESSAGE, tokenPrincipalOf } from './auth.guards.js';
import { setIdentityHeaders } from './identity-headers.js';

/**
 * Where Nest mounts ValidationsController: the global prefix and the
 * controller's path. Each platform checks at start that Nest mounted it
 * there, so that the two cannot drift apart.
 */
export const VALIDATIONS_ROUTE = '/one_auth/api/validations';

export function validationsRouteMissing(): Error {
  return new Error(`ValidationsController is not mounted at ${VALIDATIONS_ROUTE}, where its handler is installed`);
}

type HeaderTarget = Parameters<typeof setIdentityHeaders>[0];

/** The answer of a token that checked out: identity headers on the response, the account's profile as the body. */
export function validationAnswer(response: HeaderTarget, principal: TokenPrincipal): UserProfileDto {
  setIdentityHeaders(response, principal.user);
  return toUserProfile(principal.user.email, principal.user);
}

/**
 * The token check as the handler of its route, without Nest's request
 * pipeline. Relying services and gateways call it on every request they
 * serve, and for it the pipeline (execution context, guard consumer,
 * parameter factories and pipes, interceptor chain, response controller, and
 * a promise at each step) cost more than the check itself. Each platform
 * puts this handler on the route Nest mounts for ValidationsController
 * (fastify.platform.ts swaps it in as Nest registers the route,
 * express.platform.ts mounts it just ahead of Nest's), so path, methods,
 * hooks, request line and metrics stay those of that route, and the
 * controller still declares it for the OpenAPI document.
 *
 * It does what the controller does behind TokenAuthGuard, through the same
 * functions: resolves to the body of a 200 after setting the identity
 * headers, or rejects with the guard's 401 (or the database's error), which
 * the platform hands to the application's exception filter as it does any
 * route's error. The token is looked up on every call: revocation takes
 * effect at once.
 */
export function createValidationsHandler(
  tokens: AccessTokensService,
): (authorization: string | undefined, response: HeaderTarget) => Promise<UserProfileDto> {
  return (authorization, response) =>
    tokenPrincipalOf(tokens, authorization).then((principal) => {
      if (!principal) throw new UnauthorizedException(BAD_TOKEN_MESSAGE);
      return validationAnswer(response, principal);
    });
}
