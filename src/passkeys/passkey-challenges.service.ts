import { hash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, IsNull, MoreThan } from 'typeorm';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { type ChallengePurpose, PasskeyChallengeEntity } from './passkey-challenge.entity.js';

/** How long a ceremony may take, from its options to its response. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

const hashChallenge = (challenge: string) => hash('sha256', challenge, 'hex');

/**
 * The only code that writes `passkey_challenges`: single-use challenges kept
 * as hashes, so a ceremony started on one instance finishes on any other.
 */
@Injectable()
export class PasskeyChallenges {
  constructor(private readonly transactions: TransactionRunner) {}

  /**
   * A new challenge (256 random bits, base64url) for one ceremony of
   * `purpose`, bound to an account when there is one; pass the manager of an
   * open transaction to join it (the code that allowed it used up with it).
   */
  async issue(purpose: ChallengePurpose, userId: number | null, manager?: EntityManager): Promise<string> {
    const challenge = randomBytes(32).toString('base64url');
    const row = { challengeHash: hashChallenge(challenge), purpose, userId, expiresAt: Date.now() + CHALLENGE_TTL_MS };
    if (manager) await manager.insert(PasskeyChallengeEntity, row);
    else await this.transactions.run((tx) => tx.insert(PasskeyChallengeEntity, row));
    return challenge;
  }

  /**
   * Uses up a challenge: true only for the one caller whose conditional
   * DELETE removed a live row of that purpose and account. Concurrent uses
   * on one server take turns on the row; on a Galera cluster the second
   * commit fails certification, runs again and finds nothing. A challenge
   * is spent even when the response it came with is then refused.
   */
  async consume(challenge: string, purpose: ChallengePurpose, userId: number | null): Promise<boolean> {
    const result = await this.transactions.run((tx) =>
      tx.delete(PasskeyChallengeEntity, {
        challengeHash: hashChallenge(challenge),
        purpose,
        userId: userId === null ? IsNull() : userId,
        expiresAt: MoreThan(Date.now()),
      }),
    );
    return result.affected === 1;
  }

  /** Challenges of ceremonies the account had under way, inside the erasing transaction. */
  async eraseAccount(tx: EntityManager, userId: number): Promise<void> {
    await tx.delete(PasskeyChallengeEntity, { userId });
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask('passkeyChallenges', this.transactions, PasskeyChallengeEntity, 'passkey_challenges.expires_at <= :now', {
        now: cutoffs.now,
      }),
    ];
  }
}
