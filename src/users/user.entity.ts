import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { UserStatus } from './user-status.js';

@Entity({ name: 'users' })
@Unique('UQ_users_email', ['email'])
@Index('IDX_users_status', ['status'])
export class UserEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** Trimmed and lower-cased before it gets here; unique. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /**
   * The account's public id (128 random bits, hex): its `sub` at the OpenID
   * Provider, never its row id or its address. Null on a row made without
   * it (by a tool); given one the first time it is needed.
   */
  @Index('UQ_users_public_id', { unique: true })
  @Column({ name: 'public_id', type: 'varchar', length: 32, nullable: true })
  publicId: string | null;

  @Column({ type: 'varchar', length: 16, default: UserStatus.Inactive })
  status: UserStatus;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  /** When the last validation code was issued; gates re-sending within a minute. */
  @Column({ name: 'code_sent_at', type: 'bigint', nullable: true, transformer: epochMs })
  codeSentAt: number | null;

  /** When a token was last issued to it (a login, an activation, a reset); null when never. */
  @Column({ name: 'last_sign_in_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastSignInAt: number | null;

  /**
   * When the account first became active (its code and password, or a
   * sign-in with a provider that verified its address); null while never
   * activated. An account may be active without a password, so this, not
   * the password, tells what lifting an operator's disable gives back.
   */
  @Column({ name: 'activated_at', type: 'bigint', nullable: true, transformer: epochMs })
  activatedAt: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: number;
}
