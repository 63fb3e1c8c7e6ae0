import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

/**
 * One thing the OpenID Provider keeps (a browser session, an interaction, an
 * authorization code, a grant, a token, a replay record, a login between its
 * steps), whatever its model: one table for all of them, so that any
 * instance finishes what another began.
 *
 * Nothing in it works as a credential. The key is the SHA-256 of the model
 * and the record's id (the id of a token or a session is the token or the
 * cookie itself); the payload is sealed (AES-256-GCM under a key derived from
 * SECRET). What the provider looks records up by is in columns of its own:
 * the grant id, the hash of a session's uid or of a user code, and the
 * account (its public id) and client, for ending an account's sessions and
 * listing the apps it let in.
 */
@Entity({ name: 'oidc_records' })
@Index('IDX_oidc_records_grant_id', ['grantId'])
@Index('IDX_oidc_records_uid_hash', ['uidHash'])
@Index('IDX_oidc_records_user_code_hash', ['userCodeHash'])
@Index('IDX_oidc_records_account', ['accountId', 'model'])
@Index('IDX_oidc_records_expires_at', ['expiresAt'])
export class OidcRecordEntity {
  @PrimaryColumn({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  /** The provider's model: Session, Interaction, AuthorizationCode, Grant, AccessToken, RefreshToken, … */
  @Column({ type: 'varchar', length: 40 })
  model: string;

  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'grant_id', type: 'varchar', length: 64, nullable: true })
  grantId: string | null;

  @Column({ name: 'uid_hash', type: 'varchar', length: 64, nullable: true })
  uidHash: string | null;

  @Column({ name: 'user_code_hash', type: 'varchar', length: 64, nullable: true })
  userCodeHash: string | null;

  /** The account's public id (the provider's accountId). */
  @Column({ name: 'account_id', type: 'varchar', length: 32, nullable: true })
  accountId: string | null;

  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  /** Null for what does not expire by itself (a grant lives as long as it is used). */
  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: epochMs })
  expiresAt: number | null;

  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: epochMs })
  consumedAt: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  /** A grant's: when a token was last issued under it. */
  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedAt: number | null;
}
