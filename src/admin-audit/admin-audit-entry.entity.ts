import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import type { AdminAction } from './admin-action.js';

/**
 * One change an operator made through the admin API, written in the
 * transaction of the change. No foreign key to the account: the entry is
 * the operator's record and outlives the account. When the account is
 * erased, its entries keep the account id and lose the address
 * (`target_email` emptied), so nothing left names the person. A change that
 * is not to an account (a sign-in provider added or removed) names its
 * provider instead, and no account.
 */
@Entity({ name: 'admin_audit' })
@Index('IDX_admin_audit_at', ['at'])
@Index('IDX_admin_audit_target', ['targetUserId'])
export class AdminAuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'bigint', transformer: epochMs })
  at: number;

  @Column({ name: 'key_name', type: 'varchar', length: 64 })
  keyName: string;

  @Column({ type: 'varchar', length: 32 })
  action: AdminAction;

  /** The account acted on; null when the change was to a sign-in provider or a client (an app) instead. */
  @Column({ name: 'target_user_id', type: 'int', nullable: true })
  targetUserId: number | null;

  /** The sign-in provider acted on (its id), when the change was to one rather than to an account. */
  @Column({ name: 'target_provider', type: 'varchar', length: 32, nullable: true })
  targetProvider: string | null;

  /** The client (a relying app of the OpenID Provider) acted on, when the change was to one. */
  @Column({ name: 'target_client_id', type: 'varchar', length: 64, nullable: true })
  targetClientId: string | null;

  /** The account's address when it happened; "" once the account is erased. */
  @Column({ name: 'target_email', type: 'varchar', length: 254, default: '' })
  targetEmail: string;

  @Column({ name: 'client_address', type: 'varchar', length: 64, default: '' })
  clientAddress: string;
}
