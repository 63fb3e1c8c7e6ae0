import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

/**
 * One counted event (a failed login, a failed code check, a mailed code) in a
 * rate-limit bucket. Kept in the database so that every instance enforces the
 * same limit; counted over a sliding window.
 */
@Entity({ name: 'rate_events' })
@Index('IDX_rate_events_bucket_pending_at', ['bucket', 'pending', 'at'])
export class RateEventEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** SHA-256 of the bucket's name (e.g. "login:account:<email>"), so no address is stored here. */
  @Column({ type: 'varchar', length: 64 })
  bucket: string;

  @Column({ type: 'bigint', transformer: epochMs })
  at: number;

  /** An attempt under way: it holds a place in the window until it is counted or withdrawn. */
  @Column({ type: 'boolean', default: true })
  pending: boolean;
}
