import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In, MoreThan, type Repository } from 'typeorm';
import { TooManyRequestsError } from '../http/api-error.js';
import type { LimitRule } from '../config/app-config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { isWriteConflict } from '../database/driver-errors.js';
import { Metrics } from '../metrics/metrics.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { RateBucketEntity } from './rate-bucket.entity.js';
import { RateEventEntity } from './rate-event.entity.js';
import { freeingIndex, retryAfterMs, type Verdict as WindowVerdict, verdictOf, windowStart, windowState } from './window-verdict.js';

export interface Limit {
  /** Readable name of the bucket, e.g. `login:account:a@b.co`; hashed before storage. */
  bucket: string;
  rule: LimitRule;
}

/** The places an attempt holds in its buckets until it is counted or withdrawn. */
export interface Reservation {
  ids: number[];
}

/** How long an attempt waits for earlier ones to settle before giving up with 429. */
const MAX_WAIT_MS = 5_000;
/**
 * How long it may keep trying when its bucket is contended (many attempts at
 * once from one client address, over several nodes of a cluster, each
 * admission losing to another's): they are admitted one at a time, so the
 * last ones need longer, and refusing them would refuse successes.
 */
const MAX_CONTENDED_MS = 20_000;
const POLL_MS = 15;
/** A pending place older than this belongs to a crashed attempt and is ignored. */
export const STALE_PENDING_MS = 60_000;

type Verdict = WindowVerdict<Limit>;

/**
 * Sliding-window limits on failures, kept in the database so that every
 * instance enforces the same limit. Events older than every window, and
 * bucket rows as old, are pruned by the housekeeping job.
 *
 * An attempt is admitted only when the failures counted in each of its
 * windows, plus the attempts already admitted and still under way, leave
 * room for one more failure. Admitted, it holds a pending place in each
 * bucket until the caller counts it (a failure) or withdraws it (a success).
 * When the counted failures alone fill a window: 429 with Retry-After. When
 * only the attempts under way could fill it: wait for them to settle. So
 * concurrent attempts can never slip more failures past a limit than it
 * allows, and successful attempts are only ever delayed, never refused.
 *
 * Why admission is right with any number of instances, on one server or on a
 * multi-primary (Galera) cluster: the check and the pending place are one
 * transaction that first writes the bucket's row (`rate_buckets`, generation
 * + 1) and only then reads the window.
 * - One server (MySQL/MariaDB): the write takes the row's exclusive lock, so
 *   admissions to a bucket run one after the other, and under READ COMMITTED
 *   each window read, taken after the lock, sees every earlier admission.
 * - Galera: the row lock is only local, but two transactions that write the
 *   same row on different nodes cannot both commit: the later one fails
 *   certification (ER_LOCK_DEADLOCK). A transaction that read the window
 *   before an earlier admission from another node reached its node has
 *   written the bucket row too, so it is the one that fails, and runs again
 *   (TransactionRunner) on a view that includes that admission. When the
 *   other node's write arrives while ours holds the local lock, ours is
 *   aborted the same way.
 * - SQLite: one writer at a time; the write comes first, so the read is
 *   inside the write lock.
 * Nothing depends on the order of ids, which interleave across nodes.
 * Counting (pending → counted) and withdrawing (deleting the place) never
 * make room that was not there at admission, so they need no bucket write.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @InjectRepository(RateEventEntity) private readonly events: Repository<RateEventEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly metrics: Metrics,
  ) {}

  /** Takes a place in each bucket, or throws 429 (holding nothing) when any is full. */
  async reserve(limits: Limit[], message?: string): Promise<Reservation> {
    const started = Date.now();
    const buckets = limits.map((limit) => bucketKey(limit.bucket));
    let contended = false;
    for (;;) {
      // A look without writing first: while the window is full or busy, waiting
      // attempts cost no writes (on a cluster, no replicated write sets).
      let verdict = await this.judge(this.events.manager, limits, buckets, Date.now());
      if (verdict.kind === 'admit') {
        const admitted = await this.admit(limits, buckets).catch((error: unknown) => {
          // Still contended after the runner's tries: try again, for a while.
          if (isWriteConflict(error)) return null;
          throw error;
        });
        if (admitted && 'ids' in admitted) return admitted;
        contended ||= admitted === null;
        verdict = admitted ?? { kind: 'wait' };
      }
      if (verdict.kind === 'refuse') {
        this.metrics.refused(ruleOf(verdict.limit.bucket));
        throw new TooManyRequestsError(Math.max(verdict.retryAfterMs, 1000) / 1000, message);
      }
      if (Date.now() - started > (contended ? MAX_CONTENDED_MS : MAX_WAIT_MS)) {
        this.metrics.refused(ruleOf((verdict.kind === 'wait' ? verdict.limit : undefined)?.bucket ?? limits[0].bucket));
        throw new TooManyRequestsError(1, message);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
    }
  }

  /** The admission: bucket rows written first (their lock), then the windows read, then the places taken. */
  private admit(limits: Limit[], buckets: string[]): Promise<Reservation | Verdict> {
    return this.transactions.run(async (tx) => {
      const now = Date.now();
      // Sorted, so that two attempts sharing buckets lock them in the same order.
      for (const bucket of [...new Set(buckets)].sort()) await this.touchBucket(tx, bucket, now);
      const verdict = await this.judge(tx, limits, buckets, now);
      if (verdict.kind !== 'admit') return verdict;
      const ids: number[] = [];
      // One insert per row: a multi-row insert's ids are not consecutive on a cluster.
      for (const bucket of buckets)
        ids.push((await tx.insert(RateEventEntity, { bucket, at: now, pending: true })).identifiers[0].id as number);
      return { ids };
    });
  }

  private async touchBucket(tx: EntityManager, bucket: string, now: number): Promise<void> {
    const upsert =
      this.dataSource.options.type === 'mysql'
        ? 'INSERT INTO rate_buckets (bucket, generation, touched_at) VALUES (?, 1, ?) ON DUPLICATE KEY UPDATE generation = generation + 1, touched_at = VALUES(touched_at)'
        : 'INSERT INTO rate_buckets (bucket, generation, touched_at) VALUES (?, 1, ?) ON CONFLICT (bucket) DO UPDATE SET generation = generation + 1, touched_at = excluded.touched_at';
    await tx.query(upsert, [bucket, now]);
  }

  private async judge(manager: EntityManager, limits: Limit[], buckets: string[], now: number): Promise<Verdict> {
    const windows = [];
    for (const [i, limit] of limits.entries()) {
      const since = windowStart(limit.rule, now);
      const { counted, pending } = await this.countWindow(manager, buckets[i], since, now - STALE_PENDING_MS);
      const state = windowState(counted, pending, limit.rule);
      if (state !== 'full') {
        windows.push({ limit, state });
        continue;
      }
      const [freeing] = await manager.find(RateEventEntity, {
        where: { bucket: buckets[i], at: MoreThan(since), pending: false },
        order: { at: 'ASC' },
        skip: freeingIndex(counted, limit.rule),
        take: 1,
        select: { id: true, at: true },
      });
      windows.push({ limit, state, retryAfterMs: retryAfterMs(freeing?.at, limit.rule, now) });
    }
    return verdictOf(windows);
  }

  /**
   * Failures counted in the window, and attempts still under way, read in
   * one statement: one snapshot, so a place that turns from pending to
   * counted meanwhile is seen exactly once, never missed.
   */
  private async countWindow(
    manager: EntityManager,
    bucket: string,
    since: number,
    staleBefore: number,
  ): Promise<{ counted: number; pending: number }> {
    const row = await manager
      .createQueryBuilder(RateEventEntity, 'e')
      .select('SUM(CASE WHEN e.pending = 0 THEN 1 ELSE 0 END)', 'counted')
      .addSelect('SUM(CASE WHEN e.pending = 1 AND e.at > :staleBefore THEN 1 ELSE 0 END)', 'pending')
      .where('e.bucket = :bucket AND e.at > :since', { bucket, since, staleBefore })
      .getRawOne<{ counted: string | number | null; pending: string | number | null }>();
    return { counted: Number(row?.counted ?? 0), pending: Number(row?.pending ?? 0) };
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

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      // A pending place belongs to an attempt under way (its outcome not yet counted) until it is stale.
      ruleTask(
        'rateEvents',
        this.transactions,
        RateEventEntity,
        '((rate_events.pending = 0 AND rate_events.at < :before) OR rate_events.at < :pendingBefore)',
        { before: cutoffs.rateEventsBefore, pendingBefore: cutoffs.pendingRateEventsBefore },
      ),
      // A bucket's row only makes concurrent admissions conflict; nothing reads it, and the next admission writes it
      // anew (the window and its pending places live in rate_events). Kept as long as the longest window, so that a
      // busy bucket is not written anew after every sweep.
      ruleTask('rateBuckets', this.transactions, RateBucketEntity, 'rate_buckets.touched_at < :before', {
        before: cutoffs.rateEventsBefore,
      }),
    ];
  }
}

/** The kind of limit a bucket belongs to (`login:account` for `login:account:a@b.co`): never an email or address. */
export function ruleOf(bucket: string): string {
  return bucket.split(':', 2).join(':');
}

export function bucketKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}
