import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';
import type { SecurityEventType } from './security-event-type.js';

/** Something that happened to an account's security, shown to its owner; pruned after the retention period. */
@Entity({ name: 'security_events' })
@Index('IDX_security_events_user_at', ['userId', 'at'])
export class SecurityEventEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_security_events_user')
  user?: unknown;

  @Column({ type: 'varchar', length: 32 })
  type: SecurityEventType;

  @Index('IDX_security_events_at')
  @Column({ type: 'bigint', transformer: epochMs })
  at: number;

  @Column({ name: 'client_address', type: 'varchar', length: 64, default: '' })
  clientAddress: string;

  @Column({ name: 'user_agent', type: 'varchar', length: 256, default: '' })
  userAgent: string;

  /** The app signed in to, for a sign-in through the OpenID Provider (`oidc.sign_in`); null otherwise. */
  @Column({ name: 'app_name', type: 'varchar', length: 100, nullable: true })
  appName: string | null;
}
