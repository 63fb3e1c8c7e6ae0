import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import type { ProviderKind } from './provider-input.js';

/**
 * A provider people may sign in with, as an operator added it. The client
 * secret is kept sealed (ProviderSecrets); everything else is what the
 * provider publishes or the operator typed. A provider is never edited:
 * removed and added again, it is a new row, so identities linked through
 * the old one (which go with it) never come back to life under another
 * issuer that happens to reuse the id.
 */
@Entity({ name: 'sign_in_providers' })
@Unique('UQ_sign_in_providers_slug', ['slug'])
export class SignInProviderEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** The id the operator chose (`google`): in URLs and in the API as `id`. */
  @Column({ type: 'varchar', length: 32 })
  slug: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ProviderKind;

  /** Shown to people: "Continue with {name}". */
  @Column({ type: 'varchar', length: 64 })
  name: string;

  /** The OpenID issuer; for GitHub the web address of the GitHub instance. */
  @Column({ type: 'varchar', length: 500 })
  issuer: string;

  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId: string;

  /** AES-256-GCM under a key derived from SECRET, bound to the provider's id. */
  @Column({ name: 'client_secret', type: 'text' })
  clientSecret: string;

  /** Whether an address this provider says is verified is believed: it may then link an existing account. */
  @Column({ name: 'trust_email', type: 'boolean' })
  trustEmail: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
