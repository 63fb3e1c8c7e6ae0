import { Injectable, UnauthorizedException, UnprocessableEntityException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuthService } from '../auth/auth.service.js';
import type { LoginResponseDto } from '../auth/dto/login-response.dto.js';
import { SessionsService } from '../auth/sessions.service.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { UnauthorizedChallenge } from '../http/api-error.js';
import type { ClientInfo } from '../http/client-info.js';
import { toUserProfile } from '../profile/dto/user-profile.dto.js';
import { ProfileService } from '../profile/profile.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { PendingLogins } from './pending-logins.service.js';
import { LOGIN_EXPIRED_MESSAGE, SECOND_FACTOR_REQUIRED_MESSAGE } from './second-factor-messages.js';
import { type SecondFactorProof, SecondFactorStore } from './second-factor-store.service.js';
import { SecondStepMethods } from './second-step-methods.js';

const loginExpired = () => new UnauthorizedException(LOGIN_EXPIRED_MESSAGE);

/** Rolls a login's transaction back: the password was right, but the account needs its second step. */
class SecondStepNeeded extends Error {}

/**
 * Logging in: the password (checked by the guard, under the login limits),
 * then, on an account with two-step login, a second step that any instance
 * can finish.
 */
@Injectable()
export class TwoStepLoginService {
  constructor(
    private readonly factors: SecondFactorStore,
    private readonly pending: PendingLogins,
    private readonly methods: SecondStepMethods,
    private readonly sessions: SessionsService,
    private readonly profiles: ProfileService,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  /**
   * A right password (or another first step: a login code of a sign-in with
   * another provider, `how` it is recorded): a token, or on an account with two-step login a 401
   * that carries an mfa_token and the ways to finish. The token is issued
   * as before, beside the profile read, and whether the account has two-step
   * login is one read by primary key inside that transaction, after the
   * account's row lock that issuing takes: a login of an account without it
   * costs that read, and one that raced the transaction turning it on (which
   * takes the lock too) sees it. With it, the transaction rolls back: no
   * token, no sign-in.
   */
  async login(user: Account, client: ClientInfo, how: SecurityEventType = SecurityEventType.SignIn): Promise<LoginResponseDto> {
    const [accessToken, profile] = await Promise.all([
      this.transactions
        .run(async (tx) => {
          const token = await this.sessions.login(user.id, client, { how, manager: tx });
          if (await this.factors.hasTwoStepLogin(user.id, tx)) throw new SecondStepNeeded();
          return token;
        })
        .catch((error: unknown) => {
          if (error instanceof SecondStepNeeded) return null;
          throw error;
        }),
      this.profiles.read(user.id),
    ]);
    if (accessToken === null) {
      const [mfaToken, methods] = await Promise.all([this.pending.start(user.id), this.methods.forAccount(user.id)]);
      throw new UnauthorizedChallenge(SECOND_FACTOR_REQUIRED_MESSAGE, { mfa_token: mfaToken, methods });
    }
    return { access_token: accessToken, user_profile: toUserProfile(user.email, profile) };
  }

  /**
   * The second step: a TOTP code or a recovery code for the login of
   * `mfaToken`. Each try takes one of the login's five attempts first; a
   * wrong code also counts as a failed login. The login ends, the code is
   * used up and the token issued in one transaction: of concurrent finishes
   * (with one mfa_token, or one code over several), exactly one gets a token.
   */
  async finish(mfaToken: string, code: string, client: ClientInfo): Promise<LoginResponseDto> {
    const { account, proof } = await this.checkSecondStep(mfaToken, code, client);
    const [accessToken, profile] = await Promise.all([
      this.completeSecondStep(mfaToken, account, proof, client, (tx) => this.sessions.login(account.id, client, { manager: tx })),
      this.profiles.read(account.id),
    ]);
    return { access_token: accessToken, user_profile: toUserProfile(account.email, profile) };
  }

  /**
   * The check of a second step, for any way of signing in that ends in one
   * (this API, the OpenID Provider's login pages): the account whose login
   * `mfaToken` stands for, and what its code proves. 401 Login expired for a
   * dead login, 422 Invalid code (counted as a failed login) for a wrong code.
   */
  async checkSecondStep(mfaToken: string, code: string, client: ClientInfo): Promise<{ account: Account; proof: SecondFactorProof }> {
    const login = await this.pending.find(mfaToken);
    if (!login) throw loginExpired();
    // Deleted since the password step: its pending logins went with it, but this read may have raced the deletion.
    const account = await this.users.findById(login.userId).catch((error: Error) => {
      if (error.name === 'EntityNotFoundError') return null;
      throw error;
    });
    if (!account || account.status !== UserStatus.Active) throw loginExpired();
    // The attempt is taken once the limits let it through: a refused (429) try costs the login none.
    const proof = await this.auth.underLoginLimits(account.email, client, async () => {
      if (!(await this.pending.claimAttempt(mfaToken))) throw loginExpired();
      return this.factors.check(account.id, code);
    });
    if (!proof) {
      this.events.recordLater(account.id, SecurityEventType.SecondFactorFailed, client);
      throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    }
    return { account, proof };
  }

  /**
   * Ends a checked login: the pending login completed, the code used up and
   * `issue` (a token, a provider's sign-in) in one transaction, so that of
   * concurrent finishes exactly one issues anything.
   */
  completeSecondStep<T>(
    mfaToken: string,
    account: Account,
    proof: SecondFactorProof,
    client: ClientInfo,
    issue: (tx: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.transactions.run(async (tx) => {
      await this.users.lock(tx, account.id);
      // A throw rolls the whole back: the login stays pending, the code unused.
      if (!(await this.pending.complete(tx, mfaToken))) throw loginExpired();
      if (!(await this.factors.consume(tx, account, proof, client))) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
      return issue(tx);
    });
  }
}
