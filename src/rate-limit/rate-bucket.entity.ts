import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';

/**
 * One row per rate-limit bucket: the thing an attempt writes to take a place,
 * so that two attempts on one bucket always conflict (a row lock on one
 * server, a certification failure across the nodes of a cluster).
 */
@Entity({ name: 'rate_buckets' })
export class RateBucketEntity {
  /** SHA-256 of the bucket's name, as in `rate_events.bucket`. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  bucket: string;

  /** Bumped by every place taken: a write that no two concurrent attempts can both commit. */
  @Column({ type: 'bigint', default: 0, transformer: epochMs })
  generation: number;

  @Index('IDX_rate_buckets_touched_at')
  @Column({ name: 'touched_at', type: 'bigint', transformer: epochMs })
  touchedAt: number;
}
