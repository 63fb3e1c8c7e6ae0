import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

/**
 * A key the provider signs ID tokens and logout tokens with, shared by every
 * instance. Keys of one algorithm follow each other by generation: the
 * newest one whose `activates_at` has passed signs; a newer one is
 * published before it signs, an older one until what it signed has expired.
 * The private key only sealed (AES-256-GCM under a key derived from SECRET).
 */
@Entity({ name: 'oidc_signing_keys' })
@Unique('UQ_oidc_signing_keys_kid', ['kid'])
@Unique('UQ_oidc_signing_keys_generation', ['alg', 'generation'])
export class SigningKeyEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  kid: string;

  /** RS256 or ES256. */
  @Column({ type: 'varchar', length: 8 })
  alg: string;

  @Column({ type: 'int' })
  generation: number;

  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  /** From then on it signs (until a newer generation's time comes). */
  @Column({ name: 'activates_at', type: 'bigint', transformer: epochMs })
  activatesAt: number;
}
