import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuthService } from '../auth/auth.service.js';
import type { LoginResponseDto } from '../auth/dto/login-response.dto.js';
import { SessionsService } from '../auth/sessions.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { toUserProfile } from '../profile/dto/user-profile.dto.js';
import { ProfileService } from '../profile/profile.service.js';
import { PendingLogins } from '../second-factor/pending-logins.service.js';
import { LOGIN_EXPIRED_MESSAGE } from '../second-factor/second-factor-messages.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { PasskeyAuthentication } from './passkey-authentication.service.js';
import { PasskeyNotAcceptedError } from './passkey-errors.js';

const loginExpired = () => new UnauthorizedException(LOGIN_EXPIRED_MESSAGE);

/**
 * Signing in with a passkey (31): the assertion verified, then a session
 * issued as a password login issues one (4), under the same login limits.
 */
@Injectable()
export class PasskeySignIn {
  constructor(
    private readonly authentication: PasskeyAuthentication,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly profiles: ProfileService,
    private readonly events: SecurityEvents,
    private readonly pending: PendingLogins,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Request options: discoverable (any passkey the authenticator holds) for
   * a sign-in, or for the second step of a login (`mfaToken`) that
   * account's passkeys only; a dead mfa_token is 401 Login expired.
   */
  async options(mfaToken: string | undefined): Promise<unknown> {
    if (mfaToken === undefined) return this.authentication.options();
    const login = await this.pending.find(mfaToken);
    if (!login) throw new UnauthorizedException(LOGIN_EXPIRED_MESSAGE);
    return this.authentication.options({ expectedUserId: login.userId });
  }

  /**
   * A new token for the account whose passkey signed the response. Only an
   * active account signs in; anything refused is the one 401, and counts as
   * a failed login against the account the credential belongs to (when it
   * is one of ours) and the client address.
   */
  async signIn(response: unknown, mfaToken: string | undefined, client: ClientInfo): Promise<LoginResponseDto> {
    if (mfaToken !== undefined) return this.secondStep(response, mfaToken, client);
    const account = await this.checkSignIn(response, client);
    const [accessToken, profile] = await Promise.all([
      this.sessions.login(account.id, client, { how: SecurityEventType.PasskeySignIn }),
      this.profiles.read(account.id),
    ]);
    return { access_token: accessToken, user_profile: toUserProfile(account.email, profile) };
  }

  /**
   * The check of a sign-in with a passkey alone, for any way of signing in
   * (this API, the OpenID Provider's login pages): the active account whose
   * passkey signed the response, or 401 Passkey not accepted, under the
   * login limits.
   */
  async checkSignIn(response: unknown, client: ClientInfo): Promise<Account> {
    const ownerId = await this.authentication.claimedOwner(response);
    const owner = ownerId === null ? null : await this.users.findById(ownerId).catch(() => null);
    const account = await this.auth.attemptSignIn<Account>(owner?.email ?? null, client, async () => {
      const userId = await this.authentication.verify(response);
      if (userId !== null && owner && userId === owner.id && owner.status === UserStatus.Active) return owner;
      if (owner) this.events.recordLater(owner.id, SecurityEventType.SignInFailed, client);
      return null;
    });
    if (!account) throw new PasskeyNotAcceptedError(401);
    return account;
  }

  /**
   * A passkey as the second step of a login that asked for one (4′): the
   * login of `mfaToken` (401 Login expired when it is dead) takes one of its
   * attempts, the response must be signed by one of that account's
   * passkeys, and the login ends and its token is issued in one
   * transaction, so that of concurrent finishes exactly one gets a token. A
   * refused passkey counts as a failed login and a failed second step, as a
   * wrong code does.
   */
  private async secondStep(response: unknown, mfaToken: string, client: ClientInfo): Promise<LoginResponseDto> {
    const account = await this.checkSecondStep(response, mfaToken, client);
    const [accessToken, profile] = await Promise.all([
      this.completeSecondStep(mfaToken, account, (tx) =>
        this.sessions.login(account.id, client, { how: SecurityEventType.PasskeySignIn, manager: tx }),
      ),
      this.profiles.read(account.id),
    ]);
    return { access_token: accessToken, user_profile: toUserProfile(account.email, profile) };
  }

  /** The check of a passkey as a login's second step: the account, or 401 (Login expired, Passkey not accepted). */
  async checkSecondStep(response: unknown, mfaToken: string, client: ClientInfo): Promise<Account> {
    const login = await this.pending.find(mfaToken);
    if (!login) throw loginExpired();
    const account = await this.users.findById(login.userId).catch(() => null);
    if (!account || account.status !== UserStatus.Active) throw loginExpired();
    const verified = await this.auth.underLoginLimits(account.email, client, async () => {
      if (!(await this.pending.claimAttempt(mfaToken))) throw loginExpired();
      return (await this.authentication.verify(response, { expectedUserId: account.id })) === account.id;
    });
    if (!verified) {
      this.events.recordLater(account.id, SecurityEventType.SecondFactorFailed, client);
      throw new PasskeyNotAcceptedError(401);
    }
    return account;
  }

  /** Ends a login whose passkey second step checked out, with `issue` in the same transaction (exactly one of concurrent finishes issues). */
  completeSecondStep<T>(mfaToken: string, account: Account, issue: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.transactions.run(async (tx) => {
      await this.users.lock(tx, account.id);
      if (!(await this.pending.complete(tx, mfaToken))) throw loginExpired();
      return issue(tx);
    });
  }
}
