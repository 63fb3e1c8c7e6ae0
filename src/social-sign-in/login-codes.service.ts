import { Injectable } from '@nestjs/common';
import { type EntityManager, MoreThan } from 'typeorm';
import { generateToken, hashToken } from '../auth/token-hash.js';
import { CausalReads } from '../database/causal-reads.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ErasedAccount, ErasesAccountData } from '../users/account-data.js';
import { LoginCodeEntity } from './login-code.entity.js';

/** How long the app has to exchange a login code: it goes straight from the callback's redirect to the app's server. */
export const LOGIN_CODE_TTL_MS = 60_000;
/** As generateToken makes them: 256 bits, base64url. */
const LOGIN_CODE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The only code that writes `login_codes`: what a successful callback hands
 * the app instead of a token (a URL is no place for one). 256 random bits,
 * kept as their SHA-256, single use, a minute long.
 */
@Injectable()
export class LoginCodes implements ErasesAccountData {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
  ) {}

  /** A new code for the account, inside the caller's transaction (the sign-in that earned it). */
  async issue(tx: EntityManager, userId: number): Promise<string> {
    const code = generateToken();
    await tx.insert(LoginCodeEntity, { codeHash: hashToken(code), userId, expiresAt: Date.now() + LOGIN_CODE_TTL_MS });
    return code;
  }

  /**
   * Uses a code up: the account it was issued to, for exactly one of any
   * number of concurrent uses; null when it is unknown, used or expired.
   */
  async redeem(code: string): Promise<number | null> {
    if (!LOGIN_CODE.test(code)) return null;
    const codeHash = hashToken(code);
    const [row] = await this.causal.query<{ id: number | string; user_id: number | string }>(
      'SELECT id, user_id FROM login_codes WHERE code_hash = ? AND expires_at > ?',
      [codeHash, Date.now()],
    );
    if (!row) return null;
    const used = await this.transactions.run((tx) =>
      tx.delete(LoginCodeEntity, { id: Number(row.id), codeHash, expiresAt: MoreThan(Date.now()) }),
    );
    return used.affected === 1 ? Number(row.user_id) : null;
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(LoginCodeEntity, { userId });
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [ruleTask('loginCodes', this.transactions, LoginCodeEntity, 'login_codes.expires_at <= :now', { now: cutoffs.now })];
  }
}
