import { ForbiddenException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { AccessTokensService, type TokenPrincipal } from '../auth/access-tokens.service.js';
import { AuthService, WRONG_PASSWORD_MESSAGE } from '../auth/auth.service.js';
import { InvalidFieldsError } from '../http/api-error.js';
import type { ClientInfo } from '../http/client-info.js';
import { UsersService } from '../users/users.service.js';
import { SecondFactorPolicy } from './second-factor-policy.service.js';
import type { SecondFactorProof } from './second-factor-store.service.js';

/** How recent a sign-in must be to stand in for the password of an account that has none. */
export const RECENT_SIGN_IN_MS = 10 * 60_000;

/** What the person proves beyond their token. */
export interface StepUpProof {
  password?: string;
  code?: string;
}

/**
 * "Prove it is still you": what the operations that a token alone must not
 * allow ask for (adding a passkey (28), changing the password (17) or the
 * email (18), deleting the account (20), linking another provider (55)).
 * An account with a password gives it again (and, with two-step login, a
 * code); an account without one (made by a sign-in with another provider)
 * has none to give, and instead needs a token from a sign-in less than 10
 * minutes old, so that an old or stolen token alone is never enough.
 */
@Injectable()
export class StepUp {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly tokens: AccessTokensService,
    private readonly secondFactor: SecondFactorPolicy,
  ) {}

  /**
   * Passes, or answers: 400 without a password on an account that has
   * one; 422 `Password is not correct` or `Invalid code` (both counted
   * toward the login limits); 403 with `signInAgain` for an account without
   * a password whose token is 10 minutes old or more (its `password` and
   * `code` are not looked at: it has no password, and its sign-in passed its
   * second step). Answers the code's proof, to use up with the change.
   */
  async confirm(
    principal: TokenPrincipal,
    { password, code }: StepUpProof,
    client: ClientInfo,
    signInAgain: string,
  ): Promise<SecondFactorProof | null> {
    const { user } = principal;
    if (!(await this.users.hasPassword(user.id))) {
      await this.requireRecentSignIn(principal.tokenId, signInAgain);
      return null;
    }
    if (password === undefined) throw new InvalidFieldsError([{ field: 'password', message: 'password is required' }]);
    if (!(await this.auth.confirmPassword(user.email, password, client))) throw new UnprocessableEntityException(WRONG_PASSWORD_MESSAGE);
    return this.secondFactor.requireCode(user, code, client);
  }

  /** The token's sign-in (when it was issued: tokens are never renewed) must be less than 10 minutes old, else 403 `signInAgain`. */
  async requireRecentSignIn(tokenId: number, signInAgain: string): Promise<void> {
    const signedInAt = await this.tokens.issuedAt(tokenId);
    if (signedInAt === null || Date.now() - signedInAt >= RECENT_SIGN_IN_MS) throw new ForbiddenException(signInAgain);
  }
}
