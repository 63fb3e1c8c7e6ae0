import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

export const OutboxStatus = { Pending: 'pending', Sent: 'sent', Failed: 'failed' } as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];

/**
 * A message waiting for (or done with) delivery. Written in the same
 * transaction as whatever it announces, so mail is never lost or invented.
 * The content is encrypted (it carries a code) and erased once sent.
 */
@Entity({ name: 'mail_outbox' })
@Index('IDX_mail_outbox_due', ['status', 'nextAttemptAt'])
@Index('IDX_mail_outbox_recipient', ['recipient', 'createdAt'])
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /**
   * 128 random bits in hex, fixed when the message is queued: its
   * `Message-ID` on every attempt is `<messageId@MAIL_FROM's domain>`, so a
   * copy sent again after a crash is recognisably the same message.
   */
  @Column({ name: 'message_id', type: 'varchar', length: 32, unique: true })
  messageId: string;

  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  /** What the message is for, e.g. `validation_code`; rate limits count by it. */
  @Column({ type: 'varchar', length: 32 })
  purpose: string;

  /** AES-256-GCM sealed JSON of subject and bodies; empty once delivered. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'varchar', length: 16, default: OutboxStatus.Pending })
  status: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', transformer: epochMs })
  nextAttemptAt: number;

  /** A worker's claim: until then no other worker touches the message. */
  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: epochMs })
  lockedUntil: number | null;

  /** Which claim holds the message (random per claim): only its holder may record the outcome. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 32, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: epochMs })
  sentAt: number | null;
}
