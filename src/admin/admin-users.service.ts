import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountDeletionService } from '../account/account-deletion.service.js';
import { AdminAction } from '../admin-audit/admin-action.js';
import { AdminAudit } from '../admin-audit/admin-audit.service.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { ValidationCodesService } from '../codes/validation-codes.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { decodeCursor, pageOf, parsePageSize } from '../http/page-cursor.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { ProfileService } from '../profile/profile.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { isoTime } from '../users/account-data.js';
import { normalizeEmail } from '../users/email.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { AccountFactors, type FactorSummary } from './account-factors.js';
import type { AdminUserDto, AdminUserListDto, AdminUserSummaryDto } from './dto/admin-user.dto.js';
import type { ListUsersQuery } from './dto/list-users.query.js';

export const USER_NOT_FOUND_MESSAGE = 'User not found';
export const ACCOUNT_DISABLED_MESSAGE = 'Account is disabled';
/** How many security events the account detail shows. */
const DETAIL_EVENTS = 20;

/** Who is acting, as the audit log records it. */
export interface Operator {
  key: ApiKeyPrincipal;
  client: ClientInfo;
}

/**
 * What operators do to accounts, each through the code path the owner's own
 * request takes: signing out is the sessions' sign-out everywhere, a reset
 * code is the code mailing of `POST /validation_code`, erasure is the
 * account deletion. Every change commits with its audit entry.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccessTokensService,
    private readonly sessions: SessionsService,
    private readonly codes: ValidationCodesService,
    private readonly profiles: ProfileService,
    private readonly events: SecurityEvents,
    private readonly mail: MailOutbox,
    private readonly deletion: AccountDeletionService,
    private readonly factors: AccountFactors,
    private readonly audit: AdminAudit,
    private readonly transactions: TransactionRunner,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async list(query: ListUsersQuery): Promise<AdminUserListDto> {
    const limit = parsePageSize(query.limit);
    const afterId = decodeCursor(query.cursor);
    const rows = await this.users.list({
      emailPrefix: query.email ? normalizeEmail(query.email) : undefined,
      status: query.status,
      afterId,
      limit: limit + 1,
    });
    const { items, nextCursor } = pageOf(rows, limit);
    const factors = await this.factors.describeMany(items.map((account) => account.id));
    return { users: items.map((account) => summaryOf(account, factors.get(account.id))), next_cursor: nextCursor };
  }

  async detail(userId: number): Promise<AdminUserDto> {
    const account = await this.find(userId);
    const [profile, sessions, factors, events] = await Promise.all([
      this.profiles.read(userId),
      this.tokens.listSessions(userId, null),
      this.factors.describe(userId),
      this.events.latest(userId, DETAIL_EVENTS),
    ]);
    return {
      ...summaryOf(account, factors),
      profile: {
        first_name: profile.firstName,
        last_name: profile.lastName,
        country: profile.country,
        department: profile.department,
        avatar: profile.avatar,
      },
      sessions: sessions.map(({ current: _current, ...session }) => session),
      factors: { totp: factors.totp, passkeys: factors.passkeys },
      events,
    };
  }

  /**
   * Disabling signs every session out in the same transaction. A change is
   * told where the owner's own changes are: an event in the account's log
   * (22) and a webhook, so services that cache who is signed in learn it
   * (`user.disabled` comes before the `session.revoked` of its sign-out;
   * `user.enabled` says the status the account is back to). A request
   * that changes nothing (disabling a disabled account, enabling an
   * enabled one) tells nothing. Either way the answer is the account as it
   * now is.
   */
  async setStatus(userId: number, status: 'disabled' | 'active', operator: Operator): Promise<AdminUserDto> {
    await this.change(userId, operator, async (tx, account, at) => {
      if (status === 'disabled') {
        if (!(await this.users.disable(tx, userId, at))) return null;
        await this.events.record(tx, userId, SecurityEventType.AccountDisabled, operator.client, at);
        await this.webhooks.enqueue(tx, { type: 'user.disabled', userId, data: { email: account.email } });
        await this.sessions.signOutEverywhere(tx, userId);
        return AdminAction.Disable;
      }
      const backTo = await this.users.enable(tx, userId, at);
      if (backTo === null) return null;
      await this.events.record(tx, userId, SecurityEventType.AccountEnabled, operator.client, at);
      await this.webhooks.enqueue(tx, { type: 'user.enabled', userId, data: { email: account.email, status: backTo } });
      return AdminAction.Enable;
    });
    return this.detail(userId);
  }

  async revokeSessions(userId: number, operator: Operator): Promise<void> {
    await this.change(userId, operator, async (tx) => {
      await this.sessions.signOutEverywhere(tx, userId);
      return AdminAction.RevokeSessions;
    });
  }

  /** TOTP and recovery codes go (passkeys stay), every session is signed out, and the owner is told by mail. */
  async removeSecondFactor(userId: number, operator: Operator): Promise<void> {
    await this.change(userId, operator, async (tx, account, at) => {
      await this.factors.removeSecondFactor(tx, account, operator.client);
      await this.sessions.signOutEverywhere(tx, userId);
      await this.mail.enqueue(
        tx,
        account.email,
        NOTICE_MAIL_PURPOSE,
        buildNoticeMail('second_factor_removed', { email: account.email, at, client: operator.client }),
      );
      return AdminAction.RemoveSecondFactor;
    });
  }

  /**
   * A code mailed as `POST /validation_code` mails it (the same limits and
   * resend interval): a reset code for an active account, the activation
   * code for one never activated. A disabled account gets none (422): it
   * must be enabled first.
   */
  async sendPasswordReset(userId: number, operator: Operator): Promise<void> {
    const account = await this.find(userId);
    if (account.status === UserStatus.Disabled) throw new UnprocessableEntityException(ACCOUNT_DISABLED_MESSAGE);
    const entry = this.entryFor(AdminAction.SendPasswordReset, account, operator);
    const outcome = await this.codes.issue(account, operator.client.address, undefined, (tx) => this.audit.record(tx, entry));
    // Within the resend interval the code already mailed stands: nothing changed, but the request is on record.
    if (outcome === 'kept') await this.transactions.run((tx) => this.audit.record(tx, entry));
  }

  /** Erased as the owner's `DELETE /user` erases it, goodbye mail included; the audit entry commits with the erasure. */
  async erase(userId: number, operator: Operator): Promise<void> {
    const account = await this.find(userId);
    // The account's earlier entries lose its address in that transaction; this one never holds it.
    const entry = this.entryFor(AdminAction.Erase, { ...account, email: '' }, operator);
    await this.deletion.erase(account, operator.client, { last: (tx) => this.audit.record(tx, entry) });
  }

  async find(userId: number, manager?: EntityManager): Promise<Account> {
    const account = Number.isSafeInteger(userId) && userId > 0 ? await this.users.findAccount(userId, manager) : null;
    if (!account) throw new NotFoundException(USER_NOT_FOUND_MESSAGE);
    return account;
  }

  /**
   * Runs a change on the account (locked for it, read inside the
   * transaction) and records its audit entry with it; a change that turns
   * out to be none (disabling a disabled account) answers null and records nothing.
   */
  private async change(
    userId: number,
    operator: Operator,
    work: (tx: EntityManager, account: Account, at: number) => Promise<AdminAction | null>,
  ): Promise<void> {
    await this.find(userId);
    await this.transactions.run(async (tx) => {
      await this.users.lock(tx, userId);
      const account = await this.find(userId, tx);
      const at = Date.now();
      const action = await work(tx, account, at);
      if (action) await this.audit.record(tx, this.entryFor(action, account, operator), at);
    });
  }

  private entryFor(action: AdminAction, account: Pick<Account, 'id' | 'email'>, { key, client }: Operator) {
    return { keyName: key.name, action, target: { id: account.id, email: account.email }, clientAddress: client.address };
  }
}

function summaryOf(account: Account, factors: FactorSummary | undefined): AdminUserSummaryDto {
  return {
    id: account.id,
    email: account.email,
    status: account.status,
    created_at: isoTime(account.createdAt),
    last_sign_in_at: account.lastSignInAt === null ? null : isoTime(account.lastSignInAt),
    two_step: factors?.two_step ?? false,
    passkeys: factors?.passkeys ?? 0,
  };
}
