import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

export const WebhookStatus = { Pending: 'pending', Delivered: 'delivered', Failed: 'failed' } as const;
export type WebhookStatus = (typeof WebhookStatus)[keyof typeof WebhookStatus];

/**
 * One event on its way to one endpoint. Written in the same transaction as
 * the change it announces; the body is fixed then, so every retry sends the
 * same bytes under the same `webhook-id`. No foreign key to the account: a
 * `user.deleted` event outlives the row it is about.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('IDX_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('IDX_webhook_deliveries_order', ['endpoint', 'userId', 'status', 'id'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** The `webhook-id` header: one per event, the same on every retry and every endpoint. */
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ type: 'varchar', length: 500 })
  endpoint: string;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'event_type', type: 'varchar', length: 40 })
  eventType: string;

  /** The JSON body; emptied once delivered or given up, so no address lingers. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'varchar', length: 16, default: WebhookStatus.Pending })
  status: WebhookStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', transformer: epochMs })
  nextAttemptAt: number;

  /** A worker's claim: until then no other worker touches the row. */
  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: epochMs })
  lockedUntil: number | null;

  @Column({ name: 'first_attempt_at', type: 'bigint', nullable: true, transformer: epochMs })
  firstAttemptAt: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'delivered_at', type: 'bigint', nullable: true, transformer: epochMs })
  deliveredAt: number | null;
}
