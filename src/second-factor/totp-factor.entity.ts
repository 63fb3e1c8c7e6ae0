import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/** A time step is a small integer in a BIGINT column, which mysql2 hands back as a string. */
const stepNumber: ValueTransformer = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * An account's authenticator app: at most one. Pending (enabled_at null)
 * from enrolment until its first code confirms it, for 10 minutes at most;
 * once enabled, the account has two-step login.
 */
@Entity({ name: 'totp_factors' })
export class TotpFactorEntity {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_totp_factors_user', 'one')
  user?: unknown;

  /** The shared secret, sealed with AES-256-GCM under a key derived from SECRET; never kept in clear. */
  @Column({ name: 'secret_sealed', type: 'varchar', length: 255 })
  secretSealed: string;

  /** When a first code confirmed it; null while pending. */
  @Column({ name: 'enabled_at', type: 'bigint', nullable: true, transformer: epochMs })
  enabledAt: number | null;

  /** Until when a pending secret can be confirmed; null once enabled. */
  @Index('IDX_totp_factors_pending_expires_at')
  @Column({ name: 'pending_expires_at', type: 'bigint', nullable: true, transformer: epochMs })
  pendingExpiresAt: number | null;

  /** The newest time step whose code was accepted: that step and every older one are refused from now on. */
  @Column({ name: 'last_used_step', type: 'bigint', default: 0, transformer: stepNumber })
  lastUsedStep: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
