import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CausalReads } from './causal-reads.js';
import { conflictBackoffMs, DB_WAIT_MS, triesAllowed } from './conflict-retry.js';
import { isSqliteBusy } from './driver-errors.js';

/**
 * Runs units of work that write. On MySQL each gets its own pooled
 * connection and a READ COMMITTED transaction. better-sqlite3 has a single connection that
 * TypeORM shares between all callers, so two interleaved transactions would
 * silently merge (a rollback of one undoing the other's writes); here writes
 * queue one behind the other, which is all SQLite can do anyway. A ten-line
 * promise queue rather than a dependency: it is all the locking needed.
 *
 * On MySQL/MariaDB a unit of work that loses a deadlock, a lock wait, or (on
 * a Galera cluster, where every node takes writes and conflicts are only
 * found at commit) certification is rolled back as a whole and run again, a
 * bounded number of times with jittered backoff. So every `work` must be safe
 * to run more than once: it writes only through `manager` and keeps no state
 * of its own between tries (values made outside it, e.g. a generated code, are
 * simply reused).
 */
@Injectable()
export class TransactionRunner {
  private readonly serialize: boolean;
  private tail: Promise<unknown> = Promise.resolve();
  /** What to do once a transaction under way has committed, by its manager (one list per try). */
  private readonly commitHooks = new WeakMap<EntityManager, (() => void)[]>();

  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    private readonly causal: CausalReads,
  ) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.runRetrying(work);
    const result = this.tail.then(() => this.runWhileSqliteBusy(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs work that must not be inside a transaction (a WAL checkpoint) in
   * the same queue, so that on SQLite it never lands in the middle of one.
   */
  outside<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
    if (!this.serialize) return work(this.dataSource);
    const result = this.tail.then(() => work(this.dataSource));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Calls `hook` once the transaction of `manager` has committed; never when
   * it rolls back (a try that lost a conflict forgets its hooks, and the try
   * that commits registers its own). For what must follow the commit, not
   * precede it: waking a worker that should see the rows just written.
   */
  afterCommit(manager: EntityManager, hook: () => void): void {
    this.commitHooks.get(manager)?.push(hook);
  }

  private async transaction<T>(work: (manager: EntityManager) => Promise<T>, isolation?: 'READ COMMITTED'): Promise<T> {
    let hooks: (() => void)[] = [];
    const tracked = (manager: EntityManager) => {
      hooks = [];
      this.commitHooks.set(manager, hooks);
      return work(manager);
    };
    const result = await (isolation ? this.dataSource.transaction(isolation, tracked) : this.dataSource.transaction(tracked));
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        // A hook only speeds something up; what it would have done happens anyway.
      }
    }
    return result;
  }

  /**
   * On SQLite, writes of this process already queue; another process on the
   * same file (a second instance on one data folder, a command beside the
   * service) can still hold the writer when a transaction that read first
   * comes to write, and SQLite then refuses at once instead of waiting
   * (isSqliteBusy). The transaction runs again, for as long as the busy
   * timeout would have waited; a refusal after the busy timeout itself
   * already waited that long, and is not retried.
   */
  private async runWhileSqliteBusy<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let tries = 1; ; tries++) {
      try {
        return await this.transaction(work);
      } catch (error) {
        if (!isSqliteBusy(error) || Date.now() - started >= DB_WAIT_MS) throw error;
        await new Promise((resolve) => setTimeout(resolve, conflictBackoffMs(tries)));
      }
    }
  }

  private async runRetrying<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        // READ COMMITTED: under InnoDB's default REPEATABLE READ, deleting a row
        // that is not there takes a gap lock, and concurrent sign-ups deadlock.
        // Every unit of work here is written to be correct without it.
        return await this.transaction(work, 'READ COMMITTED');
      } catch (error) {
        if (tries >= triesAllowed(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, conflictBackoffMs(tries)));
        await this.causal.catchUp().catch(() => undefined);
      }
    }
  }
}
