import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { ProviderForeignKey } from '../sign-in-providers/provider-foreign-key.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/**
 * A sign-in with another provider under way: from the redirect to the
 * provider (52) to its callback (53), which any instance may receive. Looked
 * up by the SHA-256 of its `state`; the PKCE verifier and the nonce are kept
 * sealed. Deleted by the one callback that uses it.
 */
@Entity({ name: 'social_sign_ins' })
@Index('UQ_social_sign_ins_state_hash', ['stateHash'], { unique: true })
export class SocialSignInEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'state_hash', type: 'varchar', length: 64 })
  stateHash: string;

  @Index('IDX_social_sign_ins_provider_id')
  @Column({ name: 'provider_id', type: 'int' })
  providerId: number;

  @ProviderForeignKey('FK_social_sign_ins_provider')
  provider?: unknown;

  /** For a link started while signed in (55): the account it links to; null for a sign-in. */
  @Index('IDX_social_sign_ins_user_id')
  @Column({ name: 'user_id', type: 'int', nullable: true })
  userId: number | null;

  @AccountForeignKey('FK_social_sign_ins_user')
  user?: unknown;

  /** One of SOCIAL_RETURN_URLS, as it was when the flow started. */
  @Column({ name: 'return_to', type: 'varchar', length: 2000 })
  returnTo: string;

  /** The PKCE verifier, the nonce and the app's own state, sealed and bound to the state's hash. */
  @Column({ type: 'text' })
  sealed: string;

  @Index('IDX_social_sign_ins_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;
}
