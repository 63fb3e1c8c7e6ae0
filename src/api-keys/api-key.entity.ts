import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

/**
 * A key an operator made with the CLI. The key itself is shown once; only
 * its SHA-256 is kept (it carries 256 random bits: no slow hash needed).
 * A revoked key stays, so its name is never given to another key and the
 * audit log keeps naming one key; it is pruned with the audit entries that
 * could name it (ADMIN_AUDIT_RETENTION after its revocation).
 */
@Entity({ name: 'api_keys' })
@Unique('UQ_api_keys_name', ['name'])
@Unique('UQ_api_keys_key_hash', ['keyHash'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  /** Comma-separated, from API_KEY_SCOPES. */
  @Column({ type: 'varchar', length: 128 })
  scopes: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt: number | null;

  /** Refreshed at most once a minute per key and instance. */
  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedAt: number | null;
}
