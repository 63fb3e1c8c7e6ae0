import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/** The one live validation code of an account, kept only as a keyed hash. */
@Entity({ name: 'validation_codes' })
export class ValidationCodeEntity {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_validation_codes_user', 'one')
  user?: unknown;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  /** What the code may be used for: `account` (activation, reset) or `email_change`. */
  @Column({ type: 'varchar', length: 16, default: 'account' })
  purpose: string;

  /** For an email change, the address the code was mailed to and that it may move the account to; otherwise ''. */
  @Column({ name: 'new_email', type: 'varchar', length: 254, default: '' })
  newEmail: string;

  @Column({ name: 'failed_attempts', type: 'int', default: 0 })
  failedAttempts: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
