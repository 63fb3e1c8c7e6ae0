import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

/**
 * A relying app registered by an operator: its metadata as JSON (the RFC
 * 7591 names the provider reads), and for a confidential client its secret,
 * sealed (AES-256-GCM under a key derived from SECRET, bound to the client).
 */
@Entity({ name: 'oidc_clients' })
export class OidcClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ name: 'client_name', type: 'varchar', length: 100 })
  clientName: string;

  @Column({ type: 'text' })
  metadata: string;

  @Column({ name: 'secret_sealed', type: 'text', nullable: true })
  secretSealed: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: number;
}
