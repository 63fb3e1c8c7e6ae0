import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/** One login on one device. The token itself is shown once; only its SHA-256 is kept. */
@Entity({ name: 'access_tokens' })
@Unique('UQ_access_tokens_token_hash', ['tokenHash'])
@Index('UQ_access_tokens_public_id', ['publicId'], { unique: true })
export class AccessTokenEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('IDX_access_tokens_user_id')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_access_tokens_user')
  user?: unknown;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  /** The session's public handle: random, unrelated to the token, safe to show and to send back. */
  @Column({ name: 'public_id', type: 'varchar', length: 32 })
  publicId: string;

  /** As the client sent it at login, cut to 256 characters. */
  @Column({ name: 'user_agent', type: 'varchar', length: 256, default: '' })
  userAgent: string;

  @Column({ name: 'client_address', type: 'varchar', length: 64, default: '' })
  clientAddress: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMs })
  lastUsedAt: number;
}
