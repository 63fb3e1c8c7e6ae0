import { randomBytes } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { type FindOptionsWhere, In, type Repository, type SelectQueryBuilder, type WhereExpressionBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { TransactionRunner } from '../database/transaction-runner.js';
import { DrainLoop } from './drain-loop.js';
import { GIVEN_UP, type OutboxRow, PENDING } from './outbox-row.js';

/** The share of a claim an attempt may take; the rest is left for committing its outcome before the claim lapses. */
const ATTEMPT_SHARE_OF_CLAIM = 7 / 8;

type Changes<Row> = QueryDeepPartialEntity<Row>;
/** The common columns, as TypeORM takes changes to a row of some outbox. */
const common = <Row>(changes: Partial<OutboxRow>) => changes as unknown as Changes<Row>;

/** What a failed try leads to: another one later, or giving up; and what else of the row to write. */
export interface AfterFailure<Row> {
  giveUp: boolean;
  retryInMs: number;
  changes?: Changes<Row>;
}

/** One outbox, as its owner describes it to the worker. */
export interface OutboxSpec<Row extends OutboxRow> {
  /** For the log line of a failed run. */
  name: string;
  pollIntervalMs: number;
  batchSize: number;
  /**
   * How long a claim keeps other workers off a row. Longer than the worst
   * attempt, so a claim never lapses while its worker may still deliver
   * (that would send twice); also how long the rows claimed by a crashed
   * instance wait.
   */
  claimMs: number;
  /** The status of a delivered row. */
  deliveredStatus: string;
  /** Narrows and orders the due rows (alias `o`), e.g. to configured endpoints, in the order they must go. */
  selectDue(query: SelectQueryBuilder<Row>): SelectQueryBuilder<Row>;
  /** One try at one row; rejects when it failed. `deadline` aborts it before its claim runs out. */
  attempt(row: Row, deadline: AbortSignal): Promise<void>;
  /** What else to write when the try (begun at `startedAt`) delivered the row. */
  delivered(row: Row, startedAt: number): Changes<Row>;
  /** What follows a failed try, the row's `attempts`-th. */
  failed(row: Row, attempts: number, startedAt: number): AfterFailure<Row>;
  /** Told of every outcome once it is recorded (logs, metrics). */
  recorded(row: Row, outcome: { delivered: true } | { delivered: false; attempts: number; giveUp: boolean; reason: string }): void;
}

/**
 * Delivers an outbox. Due rows are claimed in one UPDATE under a claim id of
 * the worker's own, then read back, so any number of workers (in any number
 * of instances, on any node of a cluster) can run at once without two
 * sending one row; a conflict rolls the whole claim back and retries it, and
 * can never leave rows claimed and forgotten. Each row's outcome is committed
 * as soon as its own try ends, and only by the claim that holds it; a failed
 * try is retried later, with backoff, until the owner gives it up.
 */
export class OutboxWorker<Row extends OutboxRow> {
  private readonly loop: DrainLoop;

  constructor(
    private readonly rows: Repository<Row>,
    private readonly transactions: TransactionRunner,
    private readonly spec: OutboxSpec<Row>,
    logger: Logger,
  ) {
    this.loop = new DrainLoop(() => this.deliverDueBatch(), logger, spec.name);
  }

  start(): void {
    this.loop.start(this.spec.pollIntervalMs);
  }

  /** Deliver whatever is due, now; coalesces with a run in progress. */
  kick(): void {
    this.loop.kick();
  }

  /** No run starts after this; resolves when the one under way has finished its batch. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async deliverDueBatch(): Promise<boolean> {
    const { claimed, attemptsEndBy } = await this.claimDue();
    if (claimed.length === 0) return false;
    // The batch was claimed at once and goes in parallel: one deadline for all of it.
    const deadline = AbortSignal.timeout(Math.max(0, attemptsEndBy - Date.now()));
    await Promise.all(claimed.map((row) => this.deliver(row, deadline)));
    return true;
  }

  private async claimDue(): Promise<{ claimed: Row[]; attemptsEndBy: number }> {
    const now = Date.now();
    const attemptsEndBy = now + this.spec.claimMs * ATTEMPT_SHARE_OF_CLAIM;
    const due = await this.spec
      .selectDue(this.dueRows(this.rows.createQueryBuilder('o'), now))
      .select('o.id', 'id')
      .limit(this.spec.batchSize)
      .getRawMany<{ id: number | string }>();
    if (due.length === 0) return { claimed: [], attemptsEndBy };
    const ids = due.map((row) => Number(row.id));
    const claimedBy = randomBytes(12).toString('hex');
    await this.transactions.run((tx) =>
      this.dueRows(
        tx
          .createQueryBuilder()
          .update(this.rows.target)
          .set(common<Row>({ lockedUntil: now + this.spec.claimMs, claimedBy })),
        now,
      )
        .andWhere('id IN (:...ids)', { ids })
        .execute(),
    );
    const claimed = await this.rows.findBy({ id: In(ids), claimedBy } as FindOptionsWhere<Row>);
    return { claimed, attemptsEndBy };
  }

  /** Pending, due, and not under another worker's claim. */
  private dueRows<Query extends WhereExpressionBuilder>(query: Query, now: number): Query {
    query.where('status = :pending AND next_attempt_at <= :now', { pending: PENDING, now });
    query.andWhere('(locked_until IS NULL OR locked_until < :now)', { now });
    return query;
  }

  private async deliver(row: Row, deadline: AbortSignal): Promise<void> {
    const claim = { id: row.id, claimedBy: row.claimedBy } as FindOptionsWhere<Row>;
    const startedAt = Date.now();
    const attempts = row.attempts + 1;
    const released = { attempts, lockedUntil: null, claimedBy: null };
    try {
      await this.spec.attempt(row, deadline);
      const changes = {
        ...released,
        status: this.spec.deliveredStatus,
        payload: '',
        lastError: null,
        ...this.spec.delivered(row, startedAt),
      };
      await this.transactions.run((tx) => tx.update(this.rows.target, claim, changes as Changes<Row>));
      this.spec.recorded(row, { delivered: true });
    } catch (error) {
      const reason = ((error as Error).message ?? String(error)).slice(0, 500);
      const { giveUp, retryInMs, changes } = this.spec.failed(row, attempts, startedAt);
      const failure = {
        ...released,
        status: giveUp ? GIVEN_UP : PENDING,
        nextAttemptAt: Date.now() + retryInMs,
        lastError: reason,
        ...(giveUp ? { payload: '' } : {}),
        ...changes,
      };
      await this.transactions.run((tx) => tx.update(this.rows.target, claim, failure as Changes<Row>));
      this.spec.recorded(row, { delivered: false, attempts, giveUp, reason });
    }
  }
}
