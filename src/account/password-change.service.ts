import { Injectable } from '@nestjs/common';
import { AccessTokensService, type TokenPrincipal } from '../auth/access-tokens.service.js';
import { WRONG_PASSWORD_MESSAGE } from '../auth/auth.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { InvalidFieldsError } from '../http/api-error.js';
import type { ClientInfo } from '../http/client-info.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { PendingLogins } from '../second-factor/pending-logins.service.js';
import { SecondFactorPolicy } from '../second-factor/second-factor-policy.service.js';
import { StepUp } from '../second-factor/step-up.service.js';
import { passwordProblem } from '../users/password/password-policy.js';
import { UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';

export { WRONG_PASSWORD_MESSAGE };

export const SIGN_IN_AGAIN_TO_SET_PASSWORD_MESSAGE = 'Sign in again to set a password';

@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly stepUp: StepUp,
    private readonly users: UsersService,
    private readonly tokens: AccessTokensService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly mail: MailOutbox,
    private readonly webhooks: WebhookOutbox,
    private readonly secondFactor: SecondFactorPolicy,
    private readonly pendingLogins: PendingLogins,
  ) {}

  /**
   * A token is not enough to change the password (a borrowed unlocked phone):
   * the current one is asked for, and a wrong one counts as a failed login.
   * With two-step login, a code too (used up with the change). An account
   * without a password (made by a sign-in with another provider) sets its
   * first one here, with a token from a recent sign-in instead (StepUp); it
   * is told as a password set, not changed. Every other session is signed
   * out, and logins waiting for their second step are abandoned; the
   * caller's session stays.
   */
  async change(
    principal: TokenPrincipal,
    current: string | undefined,
    next: string,
    code: string | undefined,
    client: ClientInfo,
  ): Promise<void> {
    const { user } = principal;
    const problem = passwordProblem(next, user.email);
    if (problem) throw new InvalidFieldsError([{ field: 'new_password', message: problem.replace(/^password/, 'new_password') }]);
    const first = !(await this.users.hasPassword(user.id));
    const proof = await this.stepUp.confirm(principal, { password: current, code }, client, SIGN_IN_AGAIN_TO_SET_PASSWORD_MESSAGE);
    const passwordHash = await this.users.hashPassword(next);
    await this.transactions.run(async (tx) => {
      const at = Date.now();
      await this.users.lock(tx, user.id);
      await this.secondFactor.useUp(tx, user, proof, client);
      await this.users.changePassword(tx, user.id, passwordHash, at);
      await this.tokens.revokeAllBut(tx, user.id, principal.tokenId);
      await this.pendingLogins.abandonAll(tx, user.id);
      await this.events.record(tx, user.id, first ? SecurityEventType.PasswordSet : SecurityEventType.PasswordChanged, client, at);
      await this.webhooks.enqueue(tx, { type: 'user.password_changed', userId: user.id, data: { email: user.email } });
      const notice = buildNoticeMail(first ? 'password_set' : 'password_changed', { email: user.email, at, client });
      await this.mail.enqueue(tx, user.email, NOTICE_MAIL_PURPOSE, notice);
    });
  }
}
