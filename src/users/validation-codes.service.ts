import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { TooManyRequestsError } from '../common/api-error.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { buildCodeMail } from '../mail/mail-message.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { Metrics } from '../metrics/metrics.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { UserEntity } from './user.entity.js';
import { ValidationCodeEntity } from './validation-code.entity.js';
import { CODE_PATTERN, generateCode, hashCode, sameHash } from './validation-code.js';

export const CODE_MAIL_PURPOSE = 'validation_code';
/** Wrong guesses that kill a code. */
export const MAX_CODE_FAILURES = 5;

export type IssueOutcome = 'sent' | 'kept';

/**
 * What a code may be used for. The intent is bound into the code's hash and
 * stored beside it: a code mailed for an email change never activates or
 * resets an account, and an account code never changes an email.
 */
export type CodeIntent = { purpose: 'account' } | { purpose: 'email_change'; newEmail: string };
export const ACCOUNT_CODE: CodeIntent = { purpose: 'account' };

const targetOf = (intent: CodeIntent) => (intent.purpose === 'email_change' ? intent.newEmail : '');

@Injectable()
export class ValidationCodesService {
  constructor(
    @InjectRepository(ValidationCodeEntity) private readonly codes: Repository<ValidationCodeEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
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
  async issue(user: UserEntity, address: string, intent: CodeIntent = ACCOUNT_CODE): Promise<IssueOutcome> {
    const now = Date.now();
    const { codeResendIntervalMs, codeMailsPerAddress } = this.config.limits;
    const recipient = intent.purpose === 'email_change' ? intent.newEmail : user.email;
    if (user.codeSentAt !== null && now - user.codeSentAt < codeResendIntervalMs && (await this.holdsLiveCode(user.id, intent))) {
      return 'kept';
    }
    await this.enforceEmailLimit(recipient, now);
    // Counts only if the mail is really queued: withdrawn below otherwise.
    const reservation = await this.limiter.reserve(
      [{ bucket: `mail:address:${address}`, rule: codeMailsPerAddress }],
      'Too many codes requested, please retry later',
    );
    const code = generateCode();
    let sent = false;
    try {
      sent = await this.transactions.run(async (tx) => {
        // The gate: of concurrent requests for one account, one moves code_sent_at and sends.
        const gate = tx.createQueryBuilder().update(UserEntity).set({ codeSentAt: now, updatedAt: now }).where('id = :id', { id: user.id });
        if (intent.purpose === 'account') {
          gate.andWhere('(code_sent_at IS NULL OR code_sent_at <= :cutoff)', { cutoff: now - codeResendIntervalMs });
        } else {
          gate.andWhere(
            `(code_sent_at IS NULL OR code_sent_at <= :cutoff OR NOT EXISTS (SELECT 1 FROM validation_codes c
              WHERE c.user_id = :id AND c.purpose = :purpose AND c.new_email = :target))`,
            { cutoff: now - codeResendIntervalMs, purpose: intent.purpose, target: targetOf(intent) },
          );
        }
        if ((await gate.execute()).affected !== 1) return false;
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
        return true;
      });
    } finally {
      if (sent) await this.limiter.count(reservation);
      else await this.limiter.withdraw(reservation).catch(() => undefined);
    }
    if (sent) {
      this.metrics.codeIssued();
      this.mail.notifyQueued();
    }
    return sent ? 'sent' : 'kept';
  }

  /**
   * Whether `code` is the account's live code for this intent; a wrong one
   * (or one meant for something else) counts against it. Consumes nothing.
   */
  async check(userId: number, code: string, intent: CodeIntent = ACCOUNT_CODE): Promise<boolean> {
    const row = await this.liveCode(userId);
    if (!row || row.expiresAt <= Date.now() || row.failedAttempts >= MAX_CODE_FAILURES) return false;
    if (CODE_PATTERN.test(code) && row.purpose === intent.purpose && sameHash(this.hash(userId, code, intent), row.codeHash)) return true;
    await this.recordFailure(row);
    return false;
  }

  /** The new address of an email change under way, if the live code is for one. */
  async pendingEmailChange(userId: number, manager?: EntityManager): Promise<{ newEmail: string; expiresAt: number } | null> {
    const row = await (manager ?? this.codes.manager).findOneBy(ValidationCodeEntity, { userId, purpose: 'email_change' });
    return row && row.expiresAt > Date.now() ? { newEmail: row.newEmail, expiresAt: row.expiresAt } : null;
  }

  /**
   * Failed code checks count per account over a window that a new code does
   * not reset (429 past it); a successful check does not count.
   */
  countingFailures(email: string, check: () => Promise<boolean>): Promise<boolean> {
    return this.limiter.attempt(
      [{ bucket: `code:account:${email}`, rule: this.config.limits.codeFailuresPerAccount }],
      'Too many wrong codes, please retry later',
      check,
    );
  }

  private hash(userId: number, code: string, intent: CodeIntent): string {
    const subject = intent.purpose === 'account' ? code : `${intent.purpose}:${targetOf(intent)}:${code}`;
    return hashCode(this.config.secret, userId, subject);
  }

  private async holdsLiveCode(userId: number, intent: CodeIntent): Promise<boolean> {
    if (intent.purpose === 'account') return true;
    return (await this.codes.countBy({ userId, purpose: intent.purpose, newEmail: targetOf(intent) })) > 0;
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
    throw new TooManyRequestsError((oldest + windowMs - now) / 1000, 'Too many codes requested, please retry later');
  }
}
