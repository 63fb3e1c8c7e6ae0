import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AdminAudit } from '../admin-audit/admin-audit.service.js';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { ValidationCodesService } from '../codes/validation-codes.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { ImagesService } from '../images/images.service.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { buildNoticeMail, GOODBYE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { ProfileService } from '../profile/profile.service.js';
import { SecondFactorPolicy } from '../second-factor/second-factor-policy.service.js';
import { SecondFactorStore } from '../second-factor/second-factor-store.service.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { LoginCodes } from '../social-sign-in/login-codes.service.js';
import { SignInFlows } from '../social-sign-in/sign-in-flows.service.js';
import type { AfterErasure, ErasedAccount, ErasesAccountData } from '../users/account-data.js';
import { AccountDataOwners } from '../users/account-data-owners.js';
import { type Account, UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';

/**
 * Erasure: every owner of data about the account erases its part in one
 * transaction, the account itself last; then the image bytes leave storage.
 * What stays: the goodbye notice (its row names no one; the address is
 * sealed with the content and erased once sent), the account's webhook
 * events not yet delivered, `user.deleted` last, each until it is delivered
 * (relying services are owed every change, and need the address to erase
 * their copy), and rate-limit events, whose buckets are hashes.
 */
@Injectable()
export class AccountDeletionService {
  /** Every module that holds data about an account. */
  private readonly owners: ErasesAccountData[];

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly codes: ValidationCodesService,
    private readonly mail: MailOutbox,
    private readonly webhooks: WebhookOutbox,
    private readonly secondFactor: SecondFactorPolicy,
    tokens: AccessTokensService,
    events: SecurityEvents,
    profiles: ProfileService,
    images: ImagesService,
    audit: AdminAudit,
    passkeys: PasskeysService,
    secondFactors: SecondFactorStore,
    identities: IdentitiesService,
    signInFlows: SignInFlows,
    loginCodes: LoginCodes,
    private readonly registered: AccountDataOwners,
  ) {
    this.owners = [
      mail,
      tokens,
      secondFactors,
      codes,
      events,
      profiles,
      images,
      passkeys,
      identities,
      signInFlows,
      loginCodes,
      webhooks,
      audit,
    ];
  }

  /**
   * The owner's own request: with two-step login, a right `code` too — the
   * password alone deletes nothing. The code is used up inside the erasing
   * transaction, before anything is erased: of two deletions with one code,
   * one goes ahead.
   */
  async delete(account: Account, code: string | undefined, client: ClientInfo): Promise<void> {
    const proof = await this.secondFactor.requireCode(account, code, client);
    // No notice of a recovery code used: the goodbye mail is the last word.
    const spendCode = (tx: EntityManager) => this.secondFactor.useUp(tx, account, proof, client, false);
    await this.erase(account, client, { first: spendCode });
  }

  /**
   * Erases the account in one transaction (an operator's erasure comes here
   * directly: the operator's key stands in for the owner's proof). `first`
   * runs before anything is erased and may refuse; `last` runs at the end:
   * what records the erasure (an operator's audit entry) commits with it or
   * not at all.
   */
  async erase(
    account: Account,
    client: ClientInfo,
    steps: { first?: (tx: EntityManager) => Promise<void>; last?: (tx: EntityManager) => Promise<void> } = {},
  ): Promise<void> {
    const { id: userId, email } = account;
    const afterCommit = await this.transactions.run(async (tx) => {
      await steps.first?.(tx);
      // Mail went to the account's address, and to the address of an email change under way.
      const changingTo = await this.codes.mailedTo(tx, userId);
      const erased: ErasedAccount = { userId, email, addresses: changingTo ? [email, changingTo] : [email] };
      const work: AfterErasure[] = [];
      // The account itself last: the others may still read it.
      for (const owner of [...this.owners, ...this.registered.erasers(), this.users]) {
        const after = await owner.eraseAccount(tx, erased);
        if (after) work.push(after);
      }
      // Relying services erase their copy by it; the stored body is emptied once delivered.
      await this.webhooks.enqueue(tx, { type: 'user.deleted', userId, data: { email } });
      await this.mail.enqueueUnnamed(
        tx,
        email,
        GOODBYE_MAIL_PURPOSE,
        buildNoticeMail('account_deleted', { email, at: Date.now(), client }),
      );
      await steps.last?.(tx);
      return work;
    });
    for (const work of afterCommit) await work();
    await this.transactions.outside(checkpointWal).catch(() => undefined);
  }
}

/**
 * On SQLite, deleted rows live on in the write-ahead log until it is reset:
 * copy it into the database file (where secure_delete has zeroed them) and
 * truncate it. Elsewhere nothing to do.
 */
async function checkpointWal(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'better-sqlite3') return;
  await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
}
