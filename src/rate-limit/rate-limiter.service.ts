import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In, LessThan, MoreThan, type Repository } from 'typeorm';
import { TooManyRequestsError } from '../common/api-error.js';
import type { LimitRule } from '../config/app-config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { Metrics } from '../metrics/metrics.js';
import { RateEventEntity } from './rate-event.entity.js';

export interface Limit {
  /** Readable name of the bucket, e.g. `login:account:a@b.co`; hashed before storage. */
  bucket: string;
  rule: LimitRule;
}

/** The places an attempt holds in its buckets until it is counted or withdrawn. */
export interface Reservation {
  ids: number[];
}

const PRUNE_INTERVAL_MS = 10 * 60_000;
const LONGEST_WINDOW_MS = 2 * 86_400_000;
/** How long an attempt waits for earlier ones to settle before giving up with 429. */
const MAX_WAIT_MS = 5_000;
const POLL_MS = 15;
/** A pending place older than this belongs to a crashed attempt and is ignored. */
const STALE_PENDING_MS = 60_000;
/** How long to wait for a bucket's lock on MySQL (held only for one insert). */
const LOCK_WAIT_S = 5;

/**
 * Sliding-window limits on failures, kept in the database so that every
 * instance enforces the same limit.
 *
 * An attempt first takes a pending place in each bucket, then looks at the
 * window: when the counted failures already fill it, 429 with Retry-After.
 * When they do not, but the failures plus the attempts ahead of it that are
 * still under way could, it waits for those to settle. So concurrent attempts
 * can never slip more failures past the limit than it allows, and successful
 * attempts are only ever delayed, never refused. The caller then counts the
 * attempt (a failure) or withdraws it (a success).
 */
@Injectable()
export class RateLimiter implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(RateEventEntity) private readonly events: Repository<RateEventEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune().catch(() => undefined), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Takes a place in each bucket, or throws 429 (holding nothing) when any is full. */
  async reserve(limits: Limit[], message?: string): Promise<Reservation> {
    const at = Date.now();
    const buckets = limits.map((limit) => bucketKey(limit.bucket));
    const ids = await this.takePlaces(buckets, at);
    const reservation = { ids };
    try {
      for (;;) {
        const now = Date.now();
        let retryAfterMs = 0;
        let mustWait = false;
        let refusedBy: Limit | undefined;
        for (const [i, limit] of limits.entries()) {
          const { max, windowMs } = limit.rule;
          const { counted, ahead } = await this.countWindow(buckets[i], now - windowMs, ids[i], now - STALE_PENDING_MS);
          if (counted >= max) {
            // Room comes back when enough of the oldest failures leave the window.
            const [freeing] = await this.events.find({
              where: { bucket: buckets[i], at: MoreThan(now - windowMs), pending: false },
              order: { at: 'ASC', id: 'ASC' },
              skip: counted - max,
              take: 1,
              select: { id: true, at: true },
            });
            retryAfterMs = Math.max(retryAfterMs, (freeing?.at ?? now) + windowMs - now, 1000);
            refusedBy ??= limit;
            continue;
          }
          if (counted + ahead >= max) {
            mustWait = true;
            refusedBy ??= limit;
          }
        }
        if (retryAfterMs > 0 || (mustWait && now - at > MAX_WAIT_MS)) this.metrics.refused(ruleOf(refusedBy!.bucket));
        if (retryAfterMs > 0) throw new TooManyRequestsError(retryAfterMs / 1000, message);
        if (!mustWait) return reservation;
        if (now - at > MAX_WAIT_MS) throw new TooManyRequestsError(1, message);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch (error) {
      await this.withdraw(reservation).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Inserts the pending places. The counting below treats a smaller id as
   * "ahead", which needs every smaller id to be visible by the time a larger
   * one is. SQLite writes one at a time (the transaction runner) so that
   * holds there; on MySQL an id is allocated before its transaction commits,
   * so places are taken under a named lock per bucket (GET_LOCK), held only
   * for the insert.
   */
  private async takePlaces(buckets: string[], at: number): Promise<number[]> {
    const insertAll = async (manager: EntityManager) => {
      const inserted: number[] = [];
      for (const bucket of buckets) {
        inserted.push((await manager.insert(RateEventEntity, { bucket, at, pending: true })).identifiers[0].id as number);
      }
      return inserted;
    };
    if (this.dataSource.options.type !== 'mysql') return this.transactions.run(insertAll);
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      // Sorted, so that two attempts sharing buckets take their locks in the same order.
      for (const bucket of [...new Set(buckets)].sort()) {
        const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS taken', [`one_auth_rate_${bucket.slice(0, 48)}`, LOCK_WAIT_S])) as {
          taken: number | string | null;
        }[];
        if (Number(row?.taken) !== 1) throw new TooManyRequestsError(1);
      }
      return await insertAll(runner.manager);
    } finally {
      await runner.query('SELECT RELEASE_ALL_LOCKS()').catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * Failures counted in the window, and attempts still under way ahead of
   * ours, read in one statement: one snapshot, so a place that turns from
   * pending to counted meanwhile is seen exactly once, never missed.
   */
  private async countWindow(bucket: string, since: number, mine: number, staleBefore: number): Promise<{ counted: number; ahead: number }> {
    const row = await this.events
      .createQueryBuilder('e')
      .select('SUM(CASE WHEN e.pending = 0 THEN 1 ELSE 0 END)', 'counted')
      .addSelect('SUM(CASE WHEN e.pending = 1 AND e.id < :mine AND e.at > :staleBefore THEN 1 ELSE 0 END)', 'ahead')
      .where('e.bucket = :bucket AND e.at > :since', { bucket, since, mine, staleBefore })
      .getRawOne<{ counted: string | number | null; ahead: string | number | null }>();
    return { counted: Number(row?.counted ?? 0), ahead: Number(row?.ahead ?? 0) };
  }

  /** The attempt failed: its places now count against the limits. */
  async count(reservation: Reservation): Promise<void> {
    await this.transactions.run((tx) => tx.update(RateEventEntity, { id: In(reservation.ids) }, { pending: false }));
  }

  /** The attempt succeeded (or never happened): it does not count. */
  async withdraw(reservation: Reservation): Promise<void> {
    if (reservation.ids.length === 0) return;
    await this.transactions.run((tx) => tx.delete(RateEventEntity, { id: In(reservation.ids) }));
  }

  /**
   * Runs an attempt under the limits: a false result (a failure) counts, a
   * true one is withdrawn, an error is withdrawn and rethrown.
   */
  async attempt<T extends boolean | object | null>(limits: Limit[], message: string, work: () => Promise<T>): Promise<T> {
    const reservation = await this.reserve(limits, message);
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.withdraw(reservation).catch(() => undefined);
      throw error;
    }
    if (result) await this.withdraw(reservation);
    else await this.count(reservation);
    return result;
  }

  async prune(): Promise<void> {
    await this.transactions.run((tx) => tx.delete(RateEventEntity, { at: LessThan(Date.now() - LONGEST_WINDOW_MS) }));
  }
}

/** The kind of limit a bucket belongs to (`login:account` for `login:account:a@b.co`): never an email or address. */
export function ruleOf(bucket: string): string {
  return bucket.split(':', 2).join(':');
}

export function bucketKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}
