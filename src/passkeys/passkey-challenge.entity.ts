import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/** What a challenge was issued for: it is accepted for that ceremony only. */
export type ChallengePurpose = 'registration' | 'authentication';

/**
 * A WebAuthn challenge handed out and not yet used. Only its SHA-256 is kept,
 * in the database, so any instance can finish the ceremony another one
 * started; the row is deleted by the one use that consumes it.
 */
@Entity({ name: 'passkey_challenges' })
@Index('UQ_passkey_challenges_hash', ['challengeHash'], { unique: true })
export class PasskeyChallengeEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'challenge_hash', type: 'varchar', length: 64 })
  challengeHash: string;

  @Column({ type: 'varchar', length: 16 })
  purpose: ChallengePurpose;

  /** The account the ceremony is for; none for a sign-in that has yet to find out (a discoverable passkey). */
  @Index('IDX_passkey_challenges_user_id')
  @Column({ name: 'user_id', type: 'int', nullable: true })
  userId: number | null;

  @AccountForeignKey('FK_passkey_challenges_user')
  user?: unknown;

  @Index('IDX_passkey_challenges_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;
}
