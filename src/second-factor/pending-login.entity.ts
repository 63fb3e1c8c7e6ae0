import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/**
 * A login whose password was right and whose second step is still to come:
 * what an `mfa_token` stands for. Kept in the database, so any instance can
 * finish it; the token itself only as its SHA-256.
 */
@Entity({ name: 'pending_logins' })
@Unique('UQ_pending_logins_token_hash', ['tokenHash'])
export class PendingLoginEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('IDX_pending_logins_user_id')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_pending_logins_user')
  user?: unknown;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  /** Codes tried so far; the login is dead once they reach the maximum without one being right. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Index('IDX_pending_logins_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
