import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { TooManyRequestsError } from '../http/api-error.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { Metrics } from '../metrics/metrics.js';
import { TOO_MANY_CODES_MESSAGE, TOO_MANY_WRONG_CODES_MESSAGE } from '../rate-limit/limit-messages.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { type ErasedAccount, type ErasesAccountData, type ExportsAccountData, isoTime } from '../users/account-data.js';
import { type Account, UsersService } from '../users/users.service.js';
import { buildCodeMail, CODE_MAIL_PURPOSE } from './code-mail.js';
import type { PendingEmailChangeDto } from './dto/pending-email-change.dto.js';
import { ValidationCodeEntity } from './validation-code.entity.js';
import {
  ACCOUNT_CODE,
  CODE_PATTERN,
  type CodeIntent,
  generateCode,
  hashForIntent,
  isLive,
  MAX_CODE_FAILURES,
  sameHash,
  sentRecently,
  targetOf,
} from './validation-code.js';

export type IssueOutcome = 'sent' | 'kept';

type ExportPart = { pending_email_change: PendingEmailChangeDto | null };

/** The only code that writes `validation_codes`: one live code per account, kept as a keyed hash. */
@Injectable()
export class ValidationCodesService implements ErasesAccountData, ExportsAccountData<ExportPart> {
  constructor(
    @InjectRepository(ValidationCodeEntity) private readonly codes: Repository<ValidationCodeEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly users: UsersService,
    private readonly transactions: TransactionRunner,
    private readonly mail: MailOutbox,
    private readonly limiter: RateLimiter,
    private readonly metrics: Metrics,
    private readonly causal: CausalReads,
  ) {}

  /**
   * Replaces the account's code with a new one and queues its mail in the
   * same transaction. Within the resend interval of the last code, keeps it
   * and sends nothing; past the allowance per email or per client address, 429.
   * An email-change code goes to the new address; within the interval it is
   * kept only when the live code is for that same change.
   */
  async issue(
    user: Account,
    address: string,
    intent: CodeIntent = ACCOUNT_CODE,
    /** Runs in the transaction that queues the code, when one is sent (an operator's audit entry). */
    alongside?: (tx: EntityManager) => Promise<void>,
  ): Promise<IssueOutcome> {
    const now = Date.now();
    const { codeResendIntervalMs, codeMailsPerAddress } = this.config.limits;
    const recipient = intent.purpose === 'email_change' ? intent.newEmail : user.email;
    if (sentRecently(user.codeSentAt, now, codeResendIntervalMs) && (await this.holdsCodeFor(this.codes.manager, user.id, intent))) {
      return 'kept';
    }
    await this.enforceEmailLimit(recipient, now);
    // Counts only if the mail is really queued: withdrawn below otherwise.
    const reservation = await this.limiter.reserve(
      [{ bucket: `mail:address:${address}`, rule: codeMailsPerAddress }],
      TOO_MANY_CODES_MESSAGE,
    );
    const code = generateCode();
    let sent = false;
    try {
      sent = await this.transactions.run(async (tx) => {
        // The gate: of concurrent requests for one account, one moves code_sent_at and sends. A change to another
        // address is not held back by a code for a different one; requests take turns on the account's row to see it.
        let sentBefore: number | null = now - codeResendIntervalMs;
        if (intent.purpose !== 'account') {
          await this.users.lock(tx, user.id);
          if (!(await this.holdsCodeFor(tx, user.id, intent))) sentBefore = null;
        }
        if (!(await this.users.takeCodeTurn(tx, user.id, now, sentBefore))) return false;
        await tx.delete(ValidationCodeEntity, { userId: user.id });
        await tx.insert(ValidationCodeEntity, {
          userId: user.id,
          codeHash: this.hash(user.id, code, intent),
          purpose: intent.purpose,
          newEmail: targetOf(intent),
          failedAttempts: 0,
          expiresAt: now + this.config.codeTtlMs,
          createdAt: now,
        });
        await this.mail.enqueue(tx, recipient, CODE_MAIL_PURPOSE, buildCodeMail(code, this.config.codeTtlMs, intent.purpose));
        await alongside?.(tx);
        return true;
      });
    } finally {
      if (sent) await this.limiter.count(reservation);
      else await this.limiter.withdraw(reservation).catch(() => undefined);
    }
    if (sent) {
      this.metrics.codeIssued();
    }
    return sent ? 'sent' : 'kept';
  }

  /**
   * Whether `code` is the account's live code for this intent; a wrong one
   * (or one meant for something else) counts against it. Consumes nothing.
   */
  async check(userId: number, code: string, intent: CodeIntent = ACCOUNT_CODE): Promise<boolean> {
    const row = await this.liveCode(userId);
    if (!row || !isLive(row, Date.now())) return false;
    if (CODE_PATTERN.test(code) && row.purpose === intent.purpose && sameHash(this.hash(userId, code, intent), row.codeHash)) return true;
    await this.recordFailure(row);
    return false;
  }

  /** The new address of an email change under way, if the live code is for one. */
  async pendingEmailChange(userId: number, manager?: EntityManager): Promise<{ newEmail: string; expiresAt: number } | null> {
    const row = await (manager ?? this.codes.manager).findOneBy(ValidationCodeEntity, { userId, purpose: 'email_change' });
    return row && row.expiresAt > Date.now() ? { newEmail: row.newEmail, expiresAt: row.expiresAt } : null;
  }

  /** Where the account's code went, live or not: its own address, or the new one of an email change. */
  async mailedTo(tx: EntityManager, userId: number): Promise<string | null> {
    const row = await tx.findOne(ValidationCodeEntity, { select: { userId: true, newEmail: true }, where: { userId } });
    return row?.newEmail || null;
  }

  /**
   * Failed code checks count per account over a window that a new code does
   * not reset (429 past it); a successful check does not count.
   */
  countingFailures(email: string, check: () => Promise<boolean>): Promise<boolean> {
    return this.limiter.attempt(
      [{ bucket: `code:account:${email}`, rule: this.config.limits.codeFailuresPerAccount }],
      TOO_MANY_WRONG_CODES_MESSAGE,
      check,
    );
  }

  /**
   * Uses the code up, inside the caller's transaction. Atomic: one DELETE
   * that matches only a live, unexhausted code, so of concurrent uses exactly
   * one sees a row affected.
   */
  async consume(tx: EntityManager, userId: number, code: string, intent: CodeIntent = ACCOUNT_CODE): Promise<boolean> {
    if (!CODE_PATTERN.test(code)) return false;
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(ValidationCodeEntity)
      .where('user_id = :userId AND code_hash = :hash', { userId, hash: this.hash(userId, code, intent) })
      .andWhere('purpose = :purpose AND new_email = :target', { purpose: intent.purpose, target: targetOf(intent) })
      .andWhere('expires_at > :now AND failed_attempts < :max', { now: Date.now(), max: MAX_CODE_FAILURES })
      .execute();
    return result.affected === 1;
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(ValidationCodeEntity, { userId });
  }

  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<ExportPart> {
    const pending = await this.pendingEmailChange(userId, tx);
    return { pending_email_change: pending && { new_email: pending.newEmail, expires_at: isoTime(pending.expiresAt) } };
  }

  /** A used code is deleted when used; expired and exhausted ones can never be used. */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask(
        'codes',
        this.transactions,
        ValidationCodeEntity,
        '(validation_codes.expires_at <= :now OR validation_codes.failed_attempts >= :maxFailures)',
        { now: cutoffs.now, maxFailures: MAX_CODE_FAILURES },
      ),
    ];
  }

  private hash(userId: number, code: string, intent: CodeIntent): string {
    return hashForIntent(this.config.secret, userId, code, intent);
  }

  /** Whether the account's code is one for this intent (any code, for the account's own purposes). */
  private async holdsCodeFor(manager: EntityManager, userId: number, intent: CodeIntent): Promise<boolean> {
    if (intent.purpose === 'account') return true;
    return (await manager.countBy(ValidationCodeEntity, { userId, purpose: intent.purpose, newEmail: targetOf(intent) })) > 0;
  }

  /** The account's code as the whole cluster knows it: a code used through another node reads as gone. */
  private async liveCode(
    userId: number,
  ): Promise<Pick<ValidationCodeEntity, 'userId' | 'codeHash' | 'failedAttempts' | 'expiresAt' | 'purpose'> | null> {
    const [row] = await this.causal.query<{
      code_hash: string;
      failed_attempts: number | string;
      expires_at: number | string;
      purpose: ValidationCodeEntity['purpose'];
    }>('SELECT code_hash, failed_attempts, expires_at, purpose FROM validation_codes WHERE user_id = ?', [userId]);
    if (!row) return null;
    return {
      userId,
      codeHash: row.code_hash,
      failedAttempts: Number(row.failed_attempts),
      expiresAt: Number(row.expires_at),
      purpose: row.purpose,
    };
  }

  private async recordFailure(row: Pick<ValidationCodeEntity, 'userId' | 'codeHash'>): Promise<void> {
    // Bound to this code's hash: a failure never lands on a newer code by accident.
    await this.transactions.run((tx) =>
      tx
        .createQueryBuilder()
        .update(ValidationCodeEntity)
        .set({ failedAttempts: () => 'failed_attempts + 1' })
        .where('user_id = :userId AND code_hash = :hash', { userId: row.userId, hash: row.codeHash })
        .execute(),
    );
  }

  /** Mails per email are counted in the outbox itself: only mail really queued counts. */
  private async enforceEmailLimit(email: string, now: number): Promise<void> {
    const { max, windowMs } = this.config.limits.codeMailsPerEmail;
    const since = now - windowMs;
    if ((await this.mail.countSince(email, CODE_MAIL_PURPOSE, since)) < max) return;
    this.metrics.refused('mail:email');
    const oldest = (await this.mail.oldestSince(email, CODE_MAIL_PURPOSE, since)) ?? now;
    throw new TooManyRequestsError((oldest + windowMs - now) / 1000, TOO_MANY_CODES_MESSAGE);
  }
}
