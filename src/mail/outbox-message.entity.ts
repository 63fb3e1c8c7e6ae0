import { Column, Entity, Index } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { GIVEN_UP, OutboxRow, PENDING } from '../outbox/outbox-row.js';

export const OutboxStatus = { Pending: PENDING, Sent: 'sent', Failed: GIVEN_UP } as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];

/**
 * A message waiting for (or done with) delivery. Written in the same
 * transaction as whatever it announces, so mail is never lost or invented.
 * The content (the payload) is encrypted, since it carries a code, and erased once sent.
 */
@Entity({ name: 'mail_outbox' })
@Index('IDX_mail_outbox_due', ['status', 'nextAttemptAt'])
@Index('IDX_mail_outbox_recipient', ['recipient', 'createdAt'])
@Index('UQ_mail_outbox_message_id', ['messageId'], { unique: true })
export class OutboxMessageEntity extends OutboxRow {
  /**
   * 128 random bits in hex, fixed when the message is queued: its
   * `Message-ID` on every attempt is `<messageId@MAIL_FROM's domain>`, so a
   * copy sent again after a crash is recognisably the same message.
   */
  @Column({ name: 'message_id', type: 'varchar', length: 32 })
  messageId: string;

  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  /** What the message is for, e.g. `validation_code`; rate limits count by it. */
  @Column({ type: 'varchar', length: 32 })
  purpose: string;

  declare status: OutboxStatus;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: epochMs })
  sentAt: number | null;
}
