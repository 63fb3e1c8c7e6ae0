import { Column, Entity, Index } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { GIVEN_UP, OutboxRow, PENDING } from '../outbox/outbox-row.js';

export const WebhookStatus = { Pending: PENDING, Delivered: 'delivered', Failed: GIVEN_UP } as const;
export type WebhookStatus = (typeof WebhookStatus)[keyof typeof WebhookStatus];

/**
 * One event on its way to one endpoint. Written in the same transaction as
 * the change it announces; the body (the payload, JSON) is fixed then, so
 * every retry sends the same bytes under the same `webhook-id`. No foreign
 * key to the account: a `user.deleted` event outlives the row it is about.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('IDX_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('IDX_webhook_deliveries_order', ['endpoint', 'userId', 'status', 'id'])
export class WebhookDeliveryEntity extends OutboxRow {
  /** The `webhook-id` header: one per event, the same on every retry and every endpoint. */
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ type: 'varchar', length: 500 })
  endpoint: string;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'event_type', type: 'varchar', length: 40 })
  eventType: string;

  declare status: WebhookStatus;

  @Column({ name: 'first_attempt_at', type: 'bigint', nullable: true, transformer: epochMs })
  firstAttemptAt: number | null;

  @Column({ name: 'delivered_at', type: 'bigint', nullable: true, transformer: epochMs })
  deliveredAt: number | null;
}
