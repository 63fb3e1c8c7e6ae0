import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { generateToken, hashToken } from '../auth/token-hash.js';
import { CausalReads } from '../database/causal-reads.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { PendingLoginEntity } from './pending-login.entity.js';

/** How long a login waits for its second step. */
export const PENDING_LOGIN_TTL_MS = 5 * 60_000;
/** Codes one pending login may try; it is dead after this many without a right one. */
export const MAX_SECOND_STEP_ATTEMPTS = 5;
/**
 * Pending logins one account holds at most: each needs the password, but a
 * right password is never throttled, so the count is capped (the oldest go).
 */
export const MAX_PENDING_LOGINS_PER_ACCOUNT = 20;
/** An mfa_token as generateToken makes it: 256 bits, base64url. */
const MFA_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Logins between their password and their second step (`mfa_token`), as
 * rows of `pending_logins` written only here: so any instance finishes a
 * login another one started. Every change is one conditional statement
 * whose affected rows decide, which holds on a Galera cluster too.
 *
 * The way to finish one (for a second-step method of another module, a
 * passkey): `find` whose login it is, `claimAttempt` before checking what
 * the client sent (under the login limits), then `complete` inside the
 * transaction that issues the access token.
 */
@Injectable()
export class PendingLogins {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
  ) {}

  /** A new pending login for the account; answers its mfa_token, shown once. */
  async start(userId: number): Promise<string> {
    const token = generateToken();
    const now = Date.now();
    await this.transactions.run(async (tx) => {
      await tx.insert(PendingLoginEntity, {
        userId,
        tokenHash: hashToken(token),
        attempts: 0,
        expiresAt: now + PENDING_LOGIN_TTL_MS,
        createdAt: now,
      });
      const beyondCap = (await tx.query('SELECT id FROM pending_logins WHERE user_id = ? ORDER BY id DESC LIMIT 100 OFFSET ?', [
        userId,
        MAX_PENDING_LOGINS_PER_ACCOUNT,
      ])) as { id: number | string }[];
      if (beyondCap.length > 0) await tx.delete(PendingLoginEntity, { id: In(beyondCap.map((row) => Number(row.id))) });
    });
    return token;
  }

  /**
   * Whose login an mfa_token stands for, while it can still be finished;
   * null when the token is unknown, used, expired or spent. Causal on a
   * cluster: a login finished through another node a moment ago is seen.
   */
  async find(mfaToken: string): Promise<{ userId: number } | null> {
    if (!MFA_TOKEN.test(mfaToken)) return null;
    const [row] = await this.causal.query<{ user_id: number | string }>(
      'SELECT user_id FROM pending_logins WHERE token_hash = ? AND attempts < ? AND expires_at > ?',
      [hashToken(mfaToken), MAX_SECOND_STEP_ATTEMPTS, Date.now()],
    );
    return row ? { userId: Number(row.user_id) } : null;
  }

  /**
   * Takes one of the login's attempts before what the client sent is
   * checked, so that concurrent guesses can never try more than the
   * maximum; false when none is left (or the login is gone).
   */
  async claimAttempt(mfaToken: string): Promise<boolean> {
    if (!MFA_TOKEN.test(mfaToken)) return false;
    const result = await this.transactions.run((tx) =>
      tx
        .createQueryBuilder()
        .update(PendingLoginEntity)
        .set({ attempts: () => 'attempts + 1' })
        .where('token_hash = :tokenHash AND attempts < :max AND expires_at > :now', {
          tokenHash: hashToken(mfaToken),
          max: MAX_SECOND_STEP_ATTEMPTS,
          now: Date.now(),
        })
        .execute(),
    );
    return result.affected === 1;
  }

  /**
   * Ends the login, inside the transaction that issues its access token:
   * true for exactly one of any number of concurrent calls, false when it is
   * gone (finished by another request, expired, abandoned).
   */
  async complete(tx: EntityManager, mfaToken: string): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(PendingLoginEntity)
      .where('token_hash = :tokenHash AND expires_at > :now', { tokenHash: hashToken(mfaToken), now: Date.now() })
      .execute();
    return result.affected === 1;
  }

  /** Every pending login of the account, inside the caller's transaction (its password or second factor changed). */
  async abandonAll(tx: EntityManager, userId: number): Promise<void> {
    await tx.delete(PendingLoginEntity, { userId });
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask(
        'pendingLogins',
        this.transactions,
        PendingLoginEntity,
        '(pending_logins.expires_at <= :now OR pending_logins.attempts >= :max)',
        { now: cutoffs.now, max: MAX_SECOND_STEP_ATTEMPTS },
      ),
    ];
  }
}
