import { Injectable, Logger, type OnApplicationShutdown, UnprocessableEntityException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { ValidationCodesService } from '../codes/validation-codes.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { InvalidFieldsError, TooManyRequestsError } from '../http/api-error.js';
import type { ClientInfo } from '../http/client-info.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { PendingLogins } from '../second-factor/pending-logins.service.js';
import { SecondFactorPolicy } from '../second-factor/second-factor-policy.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { EMAIL_USED_MESSAGE } from '../users/email.js';
import { passwordProblem } from '../users/password/password-policy.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import type { AccountStatusDto, ActivatedAccountDto } from './dto/register.dto.js';
import type { SetPasswordDto } from './dto/validation-code.dto.js';

export const NO_USER_MESSAGE = 'User not exist';
export const CODE_SENT_MESSAGE = 'If the account exists, a code has been sent';

/** Registration, activation and password reset with a mailed code: an orchestration over the accounts, codes and tokens. */
@Injectable()
export class RegistrationService implements OnApplicationShutdown {
  private readonly logger = new Logger('Users');
  /** Code requests still being handled after their answer went out. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly users: UsersService,
    private readonly codes: ValidationCodesService,
    private readonly tokens: AccessTokensService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly mail: MailOutbox,
    private readonly webhooks: WebhookOutbox,
    private readonly secondFactor: SecondFactorPolicy,
    private readonly pendingLogins: PendingLogins,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Creates the account if new and mails it a code; an active account is refused, and so is a disabled one (as if active). */
  async register(email: string, address: string): Promise<AccountStatusDto> {
    const user = await this.users.findOrCreateInactive(email);
    if (user.status !== UserStatus.Inactive) throw new UnprocessableEntityException(EMAIL_USED_MESSAGE);
    await this.codes.issue(user, address);
    return { email: user.email, status: UserStatus.Inactive };
  }

  /**
   * Resend and password recovery. The answer goes out before any lookup, so
   * neither its body nor its timing tells whether the account exists; limits
   * apply silently for the same reason. A disabled account is sent nothing.
   */
  requestCode(email: string, address: string): { message: string } {
    const work = this.users
      .findByEmail(email)
      .then((user) => (user && user.status !== UserStatus.Disabled ? this.codes.issue(user, address) : undefined))
      .then(
        () => undefined,
        (error: Error) => {
          if (!(error instanceof TooManyRequestsError)) this.logger.warn(`code request not handled: ${error.name}: ${error.message}`);
        },
      );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return { message: CODE_SENT_MESSAGE };
  }

  async checkCode(email: string, code: string): Promise<{ message: string }> {
    const user = await this.usable(email);
    const valid = await this.codes.countingFailures(email, async () => user !== null && (await this.codes.check(user.id, code)));
    if (!valid) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    return { message: 'Valid code' };
  }

  /** The account of `email` unless an operator disabled it: to the code checks, a disabled account does not exist. */
  private async usable(email: string) {
    const user = await this.users.findByEmail(email);
    return user && user.status !== UserStatus.Disabled ? user : null;
  }

  /**
   * Activation and password reset: the code is consumed, the password set,
   * every older token revoked and a new one issued, all in one transaction;
   * a reset is also recorded and the owner told by mail.
   *
   * A mailbox alone never passes two-step login: on an account that has it,
   * a reset also needs `code` (TOTP or recovery), asked for only once the
   * mailed code is known right, and checked before anything is used up.
   */
  async setPassword(dto: SetPasswordDto, client: ClientInfo): Promise<ActivatedAccountDto> {
    const { account, result } = await this.setPasswordThen(dto, client, (tx, user) => this.tokens.issue(user.id, tx, client));
    return { email: account.email, status: UserStatus.Active, access_token: result };
  }

  /**
   * The same activation or reset for a caller that wants something else of
   * it than a token (the login pages: a sign-in at the OpenID Provider).
   * `then` runs last in the transaction, the account active with its new
   * password; it is told whether a second factor's code was used up too.
   * The second factor's wrong code is an InvalidSecondFactorCode, told apart
   * from a wrong mailed code (both answer `Invalid code`).
   */
  async setPasswordThen<T>(
    { email, validation_code: code, password, code: secondFactorCode }: SetPasswordDto,
    client: ClientInfo,
    then: (tx: EntityManager, account: Account, done: { secondFactor: boolean }) => Promise<T>,
  ): Promise<{ account: Account; result: T }> {
    const user = await this.users.findByEmail(email);
    if (!user) throw new UnprocessableEntityException(NO_USER_MESSAGE);
    // A disabled account holds no valid code: a wrong code, counted as one.
    if (user.status === UserStatus.Disabled) {
      await this.codes.countingFailures(email, () => Promise.resolve(false));
      throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    }
    const problem = passwordProblem(password, email);
    if (problem) throw new InvalidFieldsError([{ field: 'password', message: problem }]);
    // Cheap check first, so wrong codes never cost a password hash.
    if (!(await this.codes.countingFailures(email, () => this.codes.check(user.id, code)))) {
      throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    }
    const proof = await this.secondFactor.requireCodeForReset(user, secondFactorCode, client);
    const passwordHash = await this.users.hashPassword(password);
    // An active account without a password (made by a sign-in with another provider) sets its first one: told as set, not reset.
    const active = user.status === UserStatus.Active;
    const reset = active && (await this.users.hasPassword(user.id));
    const outcome = await this.transactions.run(async (tx) => {
      await this.users.lock(tx, user.id);
      if (!(await this.codes.consume(tx, user.id, code))) return null;
      // Lost to a concurrent use of the same second-factor code: the mailed code is given back by the rollback.
      await this.secondFactor.useUp(tx, user, proof, client);
      const now = Date.now();
      // Disabled meanwhile: the code stays unused, nothing is issued (the transaction is rolled back).
      if (!(await this.users.activate(tx, user.id, passwordHash, now))) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
      await this.tokens.revokeAll(user.id, tx);
      await this.pendingLogins.abandonAll(tx, user.id);
      await this.events.record(tx, user.id, reset ? SecurityEventType.PasswordReset : SecurityEventType.PasswordSet, client, now);
      await this.webhooks.enqueue(tx, {
        type: active ? 'user.password_changed' : 'user.activated',
        userId: user.id,
        data: { email: user.email },
      });
      if (active) {
        await this.mail.enqueue(
          tx,
          user.email,
          NOTICE_MAIL_PURPOSE,
          buildNoticeMail(reset ? 'password_reset' : 'password_set', { email: user.email, at: now, client }),
        );
      }
      return { result: await then(tx, user, { secondFactor: proof !== null }) };
    });
    if (!outcome) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    return { account: user, result: outcome.result };
  }
}
