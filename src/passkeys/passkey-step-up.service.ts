import { ForbiddenException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { AccessTokensService, type TokenPrincipal } from '../auth/access-tokens.service.js';
import { AuthService, WRONG_PASSWORD_MESSAGE } from '../auth/auth.service.js';
import { InvalidFieldsError } from '../http/api-error.js';
import type { ClientInfo } from '../http/client-info.js';
import { SecondFactorPolicy } from '../second-factor/second-factor-policy.service.js';
import type { SecondFactorProof } from '../second-factor/second-factor-store.service.js';
import { UsersService } from '../users/users.service.js';

export const SIGN_IN_AGAIN_MESSAGE = 'Sign in again to add a passkey';

/** How recent a sign-in must be to add a passkey to an account without a password. */
export const RECENT_SIGN_IN_MS = 10 * 60_000;

/** What the person proves beyond their token to add a passkey. */
export interface StepUpProof {
  password?: string;
  code?: string;
}

/**
 * Adding a passkey asks for more than a token. A token stolen from a log, a
 * browser or a proxy works for up to 30 days; a passkey added with it would
 * outlive every revocation and password change. So the password is asked
 * for again, as enrolling an authenticator app does (and, with two-step
 * login, a code); an account without a password (made by a sign-in with
 * another provider) has none to give, and instead needs a token from a
 * sign-in less than 10 minutes old, so an old token alone is never enough.
 */
@Injectable()
export class PasskeyStepUp {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly tokens: AccessTokensService,
    private readonly secondFactor: SecondFactorPolicy,
  ) {}

  /**
   * Passes, or answers: 400 without a password on an account that has
   * one; 422 `Password is not correct` or `Invalid code` (both counted
   * toward the login limits); 403 `Sign in again to add a passkey` for an
   * account without a password whose token is older than 10 minutes (its
   * `password` and `code` are not looked at: it has no password, and its
   * sign-in passed its second step). Answers the code's proof, to use up
   * with the challenge.
   */
  async confirm(principal: TokenPrincipal, { password, code }: StepUpProof, client: ClientInfo): Promise<SecondFactorProof | null> {
    const { user } = principal;
    if (!(await this.users.hasPassword(user.id))) {
      await this.requireRecentSignIn(principal.tokenId);
      return null;
    }
    if (password === undefined) throw new InvalidFieldsError([{ field: 'password', message: 'password is required' }]);
    if (!(await this.auth.confirmPassword(user.email, password, client))) throw new UnprocessableEntityException(WRONG_PASSWORD_MESSAGE);
    return this.secondFactor.requireCode(user, code, client);
  }

  /** The token's sign-in (when it was issued: tokens are never renewed) must be less than 10 minutes old. */
  private async requireRecentSignIn(tokenId: number): Promise<void> {
    const signedInAt = await this.tokens.issuedAt(tokenId);
    if (signedInAt === null || Date.now() - signedInAt >= RECENT_SIGN_IN_MS) throw new ForbiddenException(SIGN_IN_AGAIN_MESSAGE);
  }
}
