import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TooManyRequestsError } from '../http/api-error.js';
import type { ClientInfo } from '../http/client-info.js';
import { Metrics } from '../metrics/metrics.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { type Limit, RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { normalizeEmail } from '../users/email.js';
import { type Account, UsersService } from '../users/users.service.js';

/** What a wrong current password answers where a signed-in caller is asked for it again. */
export const WRONG_PASSWORD_MESSAGE = 'Password is not correct';

/** Password checks under the login limits: logging in, and confirming the password before a sensitive change. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly limiter: RateLimiter,
    private readonly events: SecurityEvents,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly metrics: Metrics,
  ) {}

  /**
   * The active account behind `email:password`, or null; never its password
   * hash. Failures count against the account, the client address and both
   * together (429 past the limits); a success does not count.
   */
  async verifyPassword(email: string, password: string, client: ClientInfo): Promise<Account | null> {
    const account = normalizeEmail(email);
    try {
      const user = await this.limiter.attempt(this.loginLimits(account, client.address), TOO_MANY_LOGINS_MESSAGE, () =>
        this.check(account, password, client),
      );
      this.metrics.login(user ? 'success' : 'failure');
      return user;
    } catch (error) {
      if (error instanceof TooManyRequestsError) this.metrics.login('rate_limited');
      throw error;
    }
  }

  /**
   * Asks a signed-in caller for their password again (changing the password
   * or the email): a wrong one counts against the same limits as a failed login.
   */
  async confirmPassword(email: string, password: string, client: ClientInfo): Promise<boolean> {
    const user = await this.limiter.attempt(this.loginLimits(email, client.address), TOO_MANY_LOGINS_MESSAGE, () =>
      this.check(email, password, client),
    );
    return user !== null;
  }

  /**
   * Runs a check that stands in for the password (a second-factor code)
   * under the login limits: a falsy result counts as a failed login, so
   * wrong codes and wrong passwords share one allowance. Without an account
   * (a provider's answer, before it is known whose), the client address's
   * limit only.
   */
  underLoginLimits<T extends boolean | object | null>(email: string | null, client: ClientInfo, check: () => Promise<T>): Promise<T> {
    return this.limiter.attempt(this.loginLimits(email, client.address), TOO_MANY_LOGINS_MESSAGE, check);
  }

  /**
   * Runs a sign-in without a password (a passkey) under the same limits: a
   * null result counts as a failed login against the account it claimed
   * to be, when it named one, and the client address.
   */
  async attemptSignIn<T extends object>(email: string | null, client: ClientInfo, work: () => Promise<T | null>): Promise<T | null> {
    const limits = this.loginLimits(email === null ? null : normalizeEmail(email), client.address);
    try {
      const result = await this.limiter.attempt(limits, TOO_MANY_LOGINS_MESSAGE, work);
      this.metrics.login(result ? 'success' : 'failure');
      return result;
    } catch (error) {
      if (error instanceof TooManyRequestsError) this.metrics.login('rate_limited');
      throw error;
    }
  }

  /** The login limits; without an account (a credential nobody holds) only the client address's. */
  private loginLimits(account: string | null, address: string): Limit[] {
    const { limits } = this.config;
    if (account === null) return [{ bucket: `login:address:${address}`, rule: limits.loginFailuresPerAddress }];
    return [
      { bucket: `login:account+address:${account} ${address}`, rule: limits.loginFailuresPerAccountAndAddress },
      { bucket: `login:account:${account}`, rule: limits.loginFailuresPerAccount },
      { bucket: `login:address:${address}`, rule: limits.loginFailuresPerAddress },
    ];
  }

  /** A wrong password of an existing account is recorded for its owner to see. */
  private async check(email: string, password: string, client: ClientInfo): Promise<Account | null> {
    const result = await this.users.checkPassword(email, password);
    if (!result.account && result.wrongPasswordOf !== undefined) {
      this.events.recordLater(result.wrongPasswordOf, SecurityEventType.SignInFailed, client);
    }
    return result.account;
  }
}
