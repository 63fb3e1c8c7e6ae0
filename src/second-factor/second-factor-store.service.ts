import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, IsNull } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { type ErasedAccount, type ErasesAccountData, type ExportsAccountData, isoTime } from '../users/account-data.js';
import { UsersService } from '../users/users.service.js';
import type { ExportedSecondFactorDto } from './dto/exported-second-factor.dto.js';
import { PendingLogins } from './pending-logins.service.js';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recovery-code.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { matchingStep } from './totp.js';
import { TotpFactorEntity } from './totp-factor.entity.js';
import { TotpSecrets } from './totp-secrets.js';

/** How long a secret from enrolment (24) waits for the code that confirms it (25). */
export const PENDING_SECRET_TTL_MS = 10 * 60_000;

/** Who a code is checked for: the account's id and its address (the login limits are kept per address). */
export interface CodeHolder {
  id: number;
  email: string;
}

/**
 * What a right code proved, before it is used up: the time step a TOTP code
 * matched, or the hash of a recovery code. Used up by `consume` inside the
 * transaction of the change it allows.
 */
export type SecondFactorProof = { kind: 'totp'; step: number } | { kind: 'recovery_code'; hash: string };

/** An account's authenticator app as this module reads it. */
export interface TotpFactor {
  secret: Buffer;
  enabled: boolean;
  pendingExpiresAt: number | null;
  lastUsedStep: number;
}

type ExportPart = { second_factor: ExportedSecondFactorDto };

/**
 * The only code that writes `totp_factors` and `recovery_codes` (and, through
 * PendingLogins, `pending_logins`): an account's authenticator app and
 * recovery codes, what a code proves, and using a proof up. Which operations
 * ask for a code, and how a wrong one counts, is SecondFactorPolicy's.
 *
 * Using a code up is one conditional write whose affected rows decide: a TOTP
 * step moves `last_used_step` forward only past its old value, a recovery
 * code is deleted only if still there. Of concurrent uses, on one server or
 * on several Galera nodes (where the loser fails certification and runs
 * again, to find the condition false), exactly one wins; nothing relies on a
 * lock held on one node.
 */
@Injectable()
export class SecondFactorStore implements ErasesAccountData, ExportsAccountData<ExportPart> {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
    private readonly secrets: TotpSecrets,
    private readonly users: UsersService,
    private readonly events: SecurityEvents,
    private readonly mail: MailOutbox,
    private readonly pending: PendingLogins,
  ) {}

  /**
   * Whether the account has two-step login: one read by primary key, the only
   * cost a login of an account without it pays. Inside the caller's
   * transaction when given one; otherwise causal on a cluster, so that a
   * factor enabled through another node a moment ago is seen.
   */
  async hasTwoStepLogin(userId: number, manager?: EntityManager): Promise<boolean> {
    const select = 'SELECT user_id FROM totp_factors WHERE user_id = ? AND enabled_at IS NOT NULL';
    const rows = (manager ? await manager.query(select, [userId]) : await this.causal.query(select, [userId])) as unknown[];
    return rows.length > 0;
  }

  /** Which of these accounts have two-step login (an operator's page of accounts): one query. */
  async withTwoStepLogin(userIds: number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.causal.query<{ user_id: number | string }>(
      `SELECT user_id FROM totp_factors WHERE enabled_at IS NOT NULL AND user_id IN (${userIds.map(() => '?').join(', ')})`,
      userIds,
    );
    return new Set(rows.map((row) => Number(row.user_id)));
  }

  /** The account's authenticator app, enabled or pending, with its secret opened; null when it has none. */
  async factorOf(userId: number): Promise<TotpFactor | null> {
    const [row] = await this.causal.query<{
      secret_sealed: string;
      enabled_at: number | string | null;
      pending_expires_at: number | string | null;
      last_used_step: number | string;
    }>('SELECT secret_sealed, enabled_at, pending_expires_at, last_used_step FROM totp_factors WHERE user_id = ?', [userId]);
    if (!row) return null;
    return {
      secret: this.secrets.open(userId, row.secret_sealed),
      enabled: row.enabled_at !== null,
      pendingExpiresAt: row.pending_expires_at === null ? null : Number(row.pending_expires_at),
      lastUsedStep: Number(row.last_used_step),
    };
  }

  /**
   * Keeps a new secret as the account's pending one, replacing an older
   * pending one; false when the account has an enabled factor already.
   */
  startEnrolment(userId: number, secret: Buffer): Promise<boolean> {
    const now = Date.now();
    const sealed = this.secrets.seal(userId, secret);
    return this.transactions.run(async (tx) => {
      await this.users.lock(tx, userId);
      const existing = await tx.findOne(TotpFactorEntity, { select: { userId: true, enabledAt: true }, where: { userId } });
      if (existing?.enabledAt != null) return false;
      await tx.delete(TotpFactorEntity, { userId, enabledAt: IsNull() });
      await tx.insert(TotpFactorEntity, {
        userId,
        secretSealed: sealed,
        enabledAt: null,
        pendingExpiresAt: now + PENDING_SECRET_TTL_MS,
        lastUsedStep: 0,
        createdAt: now,
      });
      return true;
    });
  }

  /**
   * Turns the pending secret on, inside the caller's transaction, with the
   * step of the code that confirmed it as used; false when it is no longer
   * pending (expired, enabled meanwhile by another request, or replaced by
   * a newer pending secret).
   */
  async enable(tx: EntityManager, userId: number, step: number, now: number, pendingExpiresAt: number): Promise<boolean> {
    // Only the pending secret the code was checked against (`pendingExpiresAt` tells it from one a concurrent enrolment (24) made).
    const result = await tx
      .createQueryBuilder()
      .update(TotpFactorEntity)
      .set({ enabledAt: now, pendingExpiresAt: null, lastUsedStep: step })
      .where('user_id = :userId AND enabled_at IS NULL AND pending_expires_at > :now AND pending_expires_at = :pendingExpiresAt', {
        userId,
        now,
        pendingExpiresAt,
      })
      .execute();
    return result.affected === 1;
  }

  /** A new set of recovery codes, inside the caller's transaction; the old set is void. Answers the codes, shown once. */
  async replaceRecoveryCodes(tx: EntityManager, userId: number): Promise<string[]> {
    const codes = generateRecoveryCodes();
    const now = Date.now();
    await tx.delete(RecoveryCodeEntity, { userId });
    for (const code of codes) {
      const hash = hashRecoveryCode(this.config.secret, userId, normaliseRecoveryCode(code)!);
      await tx.insert(RecoveryCodeEntity, { userId, codeHash: hash, createdAt: now });
    }
    return codes;
  }

  /** Removes the factor and its recovery codes, and abandons logins waiting for a second step, inside the caller's transaction. */
  async remove(tx: EntityManager, userId: number): Promise<void> {
    await tx.delete(RecoveryCodeEntity, { userId });
    await tx.delete(TotpFactorEntity, { userId });
    await this.pending.abandonAll(tx, userId);
  }

  /**
   * What `code` proves for the account, without using it up: a TOTP code
   * of the step before, the current one or the one after (and later than the
   * last step used), or one of its unused recovery codes. Null otherwise.
   */
  async check(userId: number, code: string): Promise<SecondFactorProof | null> {
    if (/^\d{6}$/.test(code)) {
      const factor = await this.factorOf(userId);
      if (!factor?.enabled) return null;
      const step = matchingStep(factor.secret, code, Date.now(), factor.lastUsedStep);
      return step === null ? null : { kind: 'totp', step };
    }
    const normalised = normaliseRecoveryCode(code);
    if (!normalised) return null;
    const hash = hashRecoveryCode(this.config.secret, userId, normalised);
    const rows = await this.causal.query<{ id: number }>('SELECT id FROM recovery_codes WHERE user_id = ? AND code_hash = ?', [
      userId,
      hash,
    ]);
    return rows.length > 0 ? { kind: 'recovery_code', hash } : null;
  }

  /**
   * Uses a proof up, inside the transaction of what it allows; false when
   * another request used the same code first (then the caller must roll back).
   * A recovery code used is recorded, and its owner told by mail unless
   * `notify` is false (the caller sends a notice of its own).
   */
  async consume(tx: EntityManager, account: CodeHolder, proof: SecondFactorProof, client: ClientInfo, notify = true): Promise<boolean> {
    if (proof.kind === 'totp') {
      const result = await tx
        .createQueryBuilder()
        .update(TotpFactorEntity)
        .set({ lastUsedStep: proof.step })
        .where('user_id = :userId AND enabled_at IS NOT NULL AND last_used_step < :step', { userId: account.id, step: proof.step })
        .execute();
      return result.affected === 1;
    }
    const result = await tx.delete(RecoveryCodeEntity, { userId: account.id, codeHash: proof.hash });
    if (result.affected !== 1) return false;
    const at = Date.now();
    await this.events.record(tx, account.id, SecurityEventType.RecoveryCodeUsed, client, at);
    if (notify) {
      await this.mail.enqueue(
        tx,
        account.email,
        NOTICE_MAIL_PURPOSE,
        buildNoticeMail('recovery_code_used', { email: account.email, at, client }),
      );
    }
    return true;
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await this.remove(tx, userId);
  }

  /** The factor's state and how many recovery codes are left: never a secret or a hash. */
  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<ExportPart> {
    const factor = await tx.findOne(TotpFactorEntity, {
      select: { userId: true, enabledAt: true, createdAt: true, pendingExpiresAt: true },
      where: { userId },
    });
    const codesLeft = await tx.countBy(RecoveryCodeEntity, { userId });
    const live = factor && (factor.enabledAt !== null || (factor.pendingExpiresAt ?? 0) > Date.now());
    return {
      second_factor: {
        totp: live
          ? {
              status: factor.enabledAt !== null ? 'enabled' : 'pending',
              created_at: isoTime(factor.createdAt),
              enabled_at: factor.enabledAt === null ? null : isoTime(factor.enabledAt),
            }
          : null,
        recovery_codes_left: codesLeft,
      },
    };
  }

  /**
   * Secrets from an enrolment never confirmed, once they can no longer be;
   * logins whose second step never came. Recovery codes go when used, and
   * with their factor.
   */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask(
        'pendingTotpSecrets',
        this.transactions,
        TotpFactorEntity,
        '(totp_factors.enabled_at IS NULL AND totp_factors.pending_expires_at <= :now)',
        { now: cutoffs.now },
      ),
      ...this.pending.pruneTasks(cutoffs),
    ];
  }
}
