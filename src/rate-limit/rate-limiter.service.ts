import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThan, type Repository } from 'typeorm';
import { TooManyRequestsError } from '../common/api-error.js';
import type { LimitRule } from '../config/app-config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { RateEventEntity } from './rate-event.entity.js';

export interface Limit {
  /** Readable name of the bucket, e.g. `login:account:a@b.co`; hashed before storage. */
  bucket: string;
  rule: LimitRule;
}

/** Events a reservation holds; released when the attempt succeeds. */
export interface Reservation {
  ids: number[];
}

const PRUNE_INTERVAL_MS = 10 * 60_000;
const LONGEST_WINDOW_MS = 2 * 86_400_000;

/**
 * Sliding-window limits kept in the database. An attempt first records its
 * event, then counts the window, so concurrent attempts can never all see
 * room: no more than the limit get through however they interleave.
 * Over the limit, the attempt withdraws its events and answers 429 with
 * Retry-After; when it turns out fine, the caller releases them (only
 * failures count).
 */
@Injectable()
export class RateLimiter implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(RateEventEntity) private readonly events: Repository<RateEventEntity>,
    private readonly transactions: TransactionRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune().catch(() => undefined), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Counts one event in each bucket, or throws 429 (counting nothing) if any is full. */
  async reserve(limits: Limit[], message?: string): Promise<Reservation> {
    const now = Date.now();
    const rows = limits.map((limit) => ({ bucket: bucketKey(limit.bucket), at: now }));
    const ids = await this.transactions.run(async (tx) => {
      const inserted: number[] = [];
      for (const row of rows) inserted.push((await tx.insert(RateEventEntity, row)).identifiers[0].id as number);
      return inserted;
    });
    let retryAfterMs = 0;
    for (const [i, limit] of limits.entries()) {
      const since = now - limit.rule.windowMs;
      const recent = await this.events.find({
        where: { bucket: rows[i].bucket, at: MoreThan(since) },
        order: { id: 'ASC' },
        select: { id: true, at: true },
      });
      // Counting every visible event, not only earlier ones, errs on the side of
      // refusing: whichever of the passing attempts committed last saw all the others.
      if (recent.length > limit.rule.max) {
        // The window frees up when enough of the oldest events leave it.
        const freeing = recent[recent.length - limit.rule.max - 1];
        retryAfterMs = Math.max(retryAfterMs, freeing.at + limit.rule.windowMs - now, 1000);
      }
    }
    if (retryAfterMs > 0) {
      await this.release({ ids });
      throw new TooManyRequestsError(retryAfterMs / 1000, message);
    }
    return { ids };
  }

  /** Withdraws the events of a reservation: the attempt did not count. */
  async release(reservation: Reservation): Promise<void> {
    if (reservation.ids.length === 0) return;
    await this.transactions.run((tx) => tx.delete(RateEventEntity, { id: In(reservation.ids) }));
  }

  async prune(): Promise<void> {
    await this.transactions.run((tx) => tx.delete(RateEventEntity, { at: LessThan(Date.now() - LONGEST_WINDOW_MS) }));
  }
}

export function bucketKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}
