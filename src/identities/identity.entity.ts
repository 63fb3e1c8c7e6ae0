import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { ProviderForeignKey } from '../sign-in-providers/provider-foreign-key.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/**
 * An account of another provider linked to one of ours: the provider's
 * subject (its stable id of the person, `sub`) signs that account in. One
 * subject of one provider is linked to one account at most.
 */
@Entity({ name: 'identities' })
@Unique('UQ_identities_provider_subject', ['providerId', 'subject'])
@Index('UQ_identities_public_id', ['publicId'], { unique: true })
export class IdentityEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** The handle the API shows: random, unrelated to the subject. */
  @Column({ name: 'public_id', type: 'varchar', length: 32 })
  publicId: string;

  @Index('IDX_identities_user_id')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_identities_user')
  user?: unknown;

  @Index('IDX_identities_provider_id')
  @Column({ name: 'provider_id', type: 'int' })
  providerId: number;

  @ProviderForeignKey('FK_identities_provider')
  provider?: unknown;

  /** The provider's `sub` (for GitHub, its numeric user id): never the address, which can change hands. */
  @Column({ type: 'varchar', length: 255 })
  subject: string;

  /** The address the provider gave at the last sign-in, as shown to the owner; "" when it gave none. */
  @Column({ type: 'varchar', length: 254, default: '' })
  email: string;

  @Column({ name: 'linked_at', type: 'bigint', transformer: epochMs })
  linkedAt: number;

  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedAt: number | null;
}
