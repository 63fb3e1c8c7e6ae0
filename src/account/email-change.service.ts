import type { EntityManager } from 'typeorm';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { type CodeIntent, INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { ValidationCodesService } from '../codes/validation-codes.service.js';
import { isDeadlock, isUniqueViolation } from '../database/driver-errors.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { SecondFactorPolicy } from '../second-factor/second-factor-policy.service.js';
import { StepUp } from '../second-factor/step-up.service.js';
import { EMAIL_USED_MESSAGE } from '../users/email.js';
import { UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
export const EMAIL_CODE_SENT_MESSAGE = 'A code has been sent to the new address';
export const SIGN_IN_AGAIN_TO_CHANGE_EMAIL_MESSAGE = 'Sign in again to change the email';

const emailUsed = () => new UnprocessableEntityException(EMAIL_USED_MESSAGE);

/**
 * Moving an account to a new address: the password again, then a code
 * mailed to the new address proves it is the caller's. Sessions stay; the
 * old address is told.
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly stepUp: StepUp,
    private readonly codes: ValidationCodesService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly mail: MailOutbox,
    private readonly webhooks: WebhookOutbox,
    private readonly secondFactor: SecondFactorPolicy,
  ) {}

  /**
   * The password (and with two-step login a code; for an account without a
   * password, a recent sign-in: StepUp) is checked before the address, so
   * that a token alone cannot probe which addresses have accounts. The code
   * is used up with the mail it allowed, in one transaction.
   */
  async request(
    principal: TokenPrincipal,
    newEmail: string,
    password: string | undefined,
    code: string | undefined,
    client: ClientInfo,
  ): Promise<void> {
    const { user } = principal;
    const proof = await this.stepUp.confirm(principal, { password, code }, client, SIGN_IN_AGAIN_TO_CHANGE_EMAIL_MESSAGE);
    if (newEmail === user.email || (await this.users.heldByActiveAccount(newEmail))) throw emailUsed();
    const account = await this.users.findById(user.id);
    // The second-factor code is used up in the transaction that queues the mail: a mail refused (429) leaves it unused.
    const spendCode = (tx: EntityManager) => this.secondFactor.useUp(tx, user, proof, client);
    await this.codes.issue(account, client.address, { purpose: 'email_change', newEmail }, spendCode);
  }

  /**
   * Uses the code and moves the account, in one transaction. The address is
   * checked again: of two accounts racing for it, the unique index lets one
   * win and the other gets 422. An account never activated that holds the
   * address gives it up (the caller has just proved the mailbox is theirs).
   */
  async confirm(principal: TokenPrincipal, newEmail: string, code: string, client: ClientInfo): Promise<void> {
    const { user } = principal;
    const intent: CodeIntent = { purpose: 'email_change', newEmail };
    if (!(await this.codes.countingFailures(user.email, () => this.codes.check(user.id, code, intent)))) {
      throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.move(user, newEmail, code, intent, client);
        break;
      } catch (error) {
        if (isUniqueViolation(error)) throw emailUsed();
        if (!isDeadlock(error) || attempt >= 3) throw error;
      }
    }
  }

  private move(user: TokenPrincipal['user'], newEmail: string, code: string, intent: CodeIntent, client: ClientInfo): Promise<void> {
    return this.transactions.run(async (tx) => {
      if (!(await this.codes.consume(tx, user.id, code, intent))) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
      const at = Date.now();
      if (!(await this.users.moveEmail(tx, user.id, newEmail, at))) throw emailUsed();
      await this.events.record(tx, user.id, SecurityEventType.EmailChanged, client, at);
      await this.webhooks.enqueue(tx, {
        type: 'user.email_changed',
        userId: user.id,
        data: { email: newEmail, previous_email: user.email },
      });
      await this.mail.enqueue(
        tx,
        user.email,
        NOTICE_MAIL_PURPOSE,
        buildNoticeMail('email_changed', { email: user.email, newEmail, at, client }),
      );
    });
  }
}
