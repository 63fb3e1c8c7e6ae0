import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/**
 * What a successful callback (53) hands the app, in place of a token: it
 * buys one login (54) within a minute. Only its SHA-256 is kept; the row is
 * deleted by the exchange that uses it.
 */
@Entity({ name: 'login_codes' })
@Index('UQ_login_codes_code_hash', ['codeHash'], { unique: true })
export class LoginCodeEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Index('IDX_login_codes_user_id')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_login_codes_user')
  user?: unknown;

  @Index('IDX_login_codes_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;
}
