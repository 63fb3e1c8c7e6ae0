import { Column, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

/** Where every outbox row starts, and where it ends when it is given up. */
export const PENDING = 'pending';
export const GIVEN_UP = 'failed';

/**
 * The columns every outbox table has (mail, webhook deliveries): a row is
 * written in the transaction of what it announces, waits `pending`, is
 * claimed by one worker at a time, and ends delivered or given up.
 */
export abstract class OutboxRow {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** What is sent; emptied once delivered or given up, so nothing personal lingers. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'varchar', length: 16, default: PENDING })
  status: string;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', transformer: epochMs })
  nextAttemptAt: number;

  /** A worker's claim: until then no other worker touches the row. */
  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: epochMs })
  lockedUntil: number | null;

  /** Which claim holds the row (random per claim): only its holder may record the outcome. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 32, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
