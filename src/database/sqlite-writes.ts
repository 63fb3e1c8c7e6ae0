import { sqliteConnectionOf, type SqliteConnection } from './sqlite-connection.js';
import type { TransactionRunner } from './transaction-runner.js';

/** A statement prepared once; it answers how many rows it changed. */
export type SqliteWrite = (...parameters: unknown[]) => number;

/**
 * Writes of a statement or two, on SQLite, without the ORM's per-query work:
 * each statement is prepared once, and `run` executes synchronous work in
 * the queue of units of work (TransactionRunner), so it never lands inside
 * another's open transaction. The works handed to `run` while the event loop
 * goes round once are committed together (each in a savepoint of its own, so
 * one that throws undoes only itself): under load, a commit's pages (the
 * table's last leaf, the leaves of the indexes most rows share) go to the
 * write-ahead log once per round instead of once per statement. A work
 * alone runs without a transaction. `atomic` makes work of several
 * statements one transaction. Undefined on MySQL, where writes go through
 * TransactionRunner's transactions, which retry a lost conflict.
 */
export interface SqliteWrites {
  prepare(sql: string): SqliteWrite;
  run<T>(work: () => T): Promise<T>;
  atomic<T>(work: () => T): T;
}

interface Queued {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export function sqliteWrites(transactions: TransactionRunner): SqliteWrites | undefined {
  const connection: SqliteConnection | undefined = sqliteConnectionOf(transactions.dataSource);
  if (!connection) return undefined;
  const atomic = <T>(work: () => T): T => connection.transaction(work)();
  let round: Queued[] | undefined;
  const commit = (works: Queued[]) => {
    if (works.length === 1) return settle(works[0], works[0].work);
    const outcomes: (() => void)[] = [];
    atomic(() => {
      for (const queued of works) outcomes.push(settleLater(queued, () => atomic(queued.work)));
    });
    for (const outcome of outcomes) outcome();
  };
  return {
    prepare(sql) {
      let statement: ReturnType<SqliteConnection['prepare']> | undefined;
      return (...parameters) => {
        statement ??= connection.prepare(sql);
        return statement.run(...parameters).changes;
      };
    },
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (!round) {
          const works: Queued[] = (round = []);
          setImmediate(() => {
            round = undefined;
            // A commit that fails fails every work of the round.
            transactions.outside(async () => commit(works)).catch((error: unknown) => works.forEach((queued) => queued.reject(error)));
          });
        }
        round.push({ work, resolve: resolve as (value: unknown) => void, reject });
      });
    },
    atomic,
  };
}

function settle(queued: Queued, work: () => unknown): void {
  try {
    queued.resolve(work());
  } catch (error) {
    queued.reject(error);
  }
}

/** Runs the work now; answers how to settle its promise once the round has committed. */
function settleLater(queued: Queued, work: () => unknown): () => void {
  try {
    const value = work();
    return () => queued.resolve(value);
  } catch (error) {
    return () => queued.reject(error);
  }
}
