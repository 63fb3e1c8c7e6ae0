import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/**
 * A passkey of an account: the public half of a WebAuthn credential. Nothing
 * here is secret (the private key never leaves the authenticator), but the
 * credential id is looked up by its SHA-256, which fits a unique index on
 * every dialect.
 */
@Entity({ name: 'passkeys' })
@Index('UQ_passkeys_public_id', ['publicId'], { unique: true })
@Index('UQ_passkeys_credential_hash', ['credentialHash'], { unique: true })
export class PasskeyEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Index('IDX_passkeys_user_id')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_passkeys_user')
  user?: unknown;

  /** The handle the API shows: random, unrelated to the credential. */
  @Column({ name: 'public_id', type: 'varchar', length: 32 })
  publicId: string;

  /** The credential id as the authenticator gave it (base64url, at most 1023 bytes). */
  @Column({ name: 'credential_id', type: 'varchar', length: 1400 })
  credentialId: string;

  /** SHA-256 (hex) of the credential id: the lookup key. */
  @Column({ name: 'credential_hash', type: 'varchar', length: 64 })
  credentialHash: string;

  /** The COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey: string;

  /** The authenticator's signature counter; 0 for one that keeps none (a BIGINT, read back as a number). */
  @Column({ name: 'sign_count', type: 'bigint', transformer: epochMs })
  signCount: number;

  /** How the authenticator can be reached (usb, nfc, internal, hybrid…), comma-separated: a hint for the browser. */
  @Column({ type: 'varchar', length: 200, default: '' })
  transports: string;

  /** The WebAuthn user handle the credential was made for (base64url). */
  @Column({ name: 'user_handle', type: 'varchar', length: 64 })
  userHandle: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Whether the authenticator said the credential is synced (backed up) beyond this device. */
  @Column({ name: 'backed_up', type: 'boolean' })
  backedUp: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedAt: number | null;
}
