import { type UserProfileDto, toUserProfile } from '../profile/dto/user-profile.dto.js';
import type { TokenPrincipal } from './access-tokens.service.js';
import { setIdentityHeaders } from './identity-headers.js';

/**
 * Where Nest mounts ValidationsController: the global prefix and the
 * controller's path. The token check is also answered ahead of the platform
 * at this path (platform/token-check-first.ts); the Express setup checks at
 * start that Nest mounted the controller here, so the two cannot drift apart.
 */
export const VALIDATIONS_ROUTE = '/one_auth/api/validations';

export function validationsRouteMissing(): Error {
  return new Error(`ValidationsController is not mounted at ${VALIDATIONS_ROUTE}, where the token check is answered`);
}

/**
 * The answer of a token that checked out, wherever it is answered: the
 * identity headers through `setHeader`, the account's profile as the body.
 */
export function validationAnswer(setHeader: (name: string, value: string) => unknown, principal: TokenPrincipal): UserProfileDto {
  setIdentityHeaders(setHeader, principal.user);
  return toUserProfile(principal.user.email, principal.user);
}
