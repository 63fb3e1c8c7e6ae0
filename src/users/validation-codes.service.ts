import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TooManyRequestsError } from '../common/api-error.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { buildCodeMail } from '../mail/mail-message.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { UserEntity } from './user.entity.js';
import { ValidationCodeEntity } from './validation-code.entity.js';
import { CODE_PATTERN, generateCode, hashCode, sameHash } from './validation-code.js';

export const CODE_MAIL_PURPOSE = 'validation_code';
/** Wrong guesses that kill a code. */
export const MAX_CODE_FAILURES = 5;

export type IssueOutcome = 'sent' | 'kept';

@Injectable()
export class ValidationCodesService {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly mail: MailOutbox,
    private readonly limiter: RateLimiter,
    private readonly causal: CausalReads,
  ) {}

  /**
   * Replaces the account's code with a new one and queues its mail in the
   * same transaction. Within the resend interval of the last code, keeps it
   * and sends nothing; past the allowance per email or per client address, 429.
   */
  async issue(user: UserEntity, address: string): Promise<IssueOutcome> {
    const now = Date.now();
    const { codeResendIntervalMs, codeMailsPerAddress } = this.config.limits;
    if (user.codeSentAt !== null && now - user.codeSentAt < codeResendIntervalMs) return 'kept';
    await this.enforceEmailLimit(user.email, now);
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
        const gate = await tx
          .createQueryBuilder()
          .update(UserEntity)
          .set({ codeSentAt: now, updatedAt: now })
          .where('id = :id AND (code_sent_at IS NULL OR code_sent_at <= :cutoff)', { id: user.id, cutoff: now - codeResendIntervalMs })
          .execute();
        if (gate.affected !== 1) return false;
        await tx.delete(ValidationCodeEntity, { userId: user.id });
        await tx.insert(ValidationCodeEntity, {
          userId: user.id,
          codeHash: hashCode(this.config.secret, user.id, code),
          failedAttempts: 0,
          expiresAt: now + this.config.codeTtlMs,
          createdAt: now,
        });
        await this.mail.enqueue(tx, user.email, CODE_MAIL_PURPOSE, buildCodeMail(code, this.config.codeTtlMs));
        return true;
      });
    } finally {
      if (sent) await this.limiter.count(reservation);
      else await this.limiter.withdraw(reservation).catch(() => undefined);
    }
    if (sent) this.mail.notifyQueued();
    return sent ? 'sent' : 'kept';
  }

  /** Whether `code` is the account's live code; a wrong one counts against it. Consumes nothing. */
  async check(userId: number, code: string): Promise<boolean> {
    const row = await this.liveCode(userId);
    if (!row || row.expiresAt <= Date.now() || row.failedAttempts >= MAX_CODE_FAILURES) return false;
    if (CODE_PATTERN.test(code) && sameHash(hashCode(this.config.secret, userId, code), row.codeHash)) return true;
    await this.recordFailure(row);
    return false;
  }

  /**
   * Uses the code up, inside the caller's transaction. Atomic: one DELETE
   * that matches only a live, unexhausted code, so of concurrent uses exactly
   * one sees a row affected.
   */
  async consume(tx: EntityManager, userId: number, code: string): Promise<boolean> {
    if (!CODE_PATTERN.test(code)) return false;
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(ValidationCodeEntity)
      .where('user_id = :userId AND code_hash = :hash', { userId, hash: hashCode(this.config.secret, userId, code) })
      .andWhere('expires_at > :now AND failed_attempts < :max', { now: Date.now(), max: MAX_CODE_FAILURES })
      .execute();
    return result.affected === 1;
  }

  /** The account's code as the whole cluster knows it: a code used through another node reads as gone. */
  private async liveCode(
    userId: number,
  ): Promise<Pick<ValidationCodeEntity, 'userId' | 'codeHash' | 'failedAttempts' | 'expiresAt'> | null> {
    const [row] = await this.causal.query<{ code_hash: string; failed_attempts: number | string; expires_at: number | string }>(
      'SELECT code_hash, failed_attempts, expires_at FROM validation_codes WHERE user_id = ?',
      [userId],
    );
    if (!row) return null;
    return { userId, codeHash: row.code_hash, failedAttempts: Number(row.failed_attempts), expiresAt: Number(row.expires_at) };
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
    const oldest = (await this.mail.oldestSince(email, CODE_MAIL_PURPOSE, since)) ?? now;
    throw new TooManyRequestsError((oldest + windowMs - now) / 1000, 'Too many codes requested, please retry later');
  }
}
