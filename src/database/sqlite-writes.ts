import { sqliteConnectionOf, type SqliteConnection } from './sqlite-connection.js';
import type { TransactionRunner } from './transaction-runner.js';

/** A statement prepared once; it answers how many rows it changed. */
export type SqliteWrite = (...parameters: unknown[]) => number;

/**
 * Writes of a statement or two, on SQLite, without the ORM's per-query work
 * and without a BEGIN and COMMIT of their own for a single statement: each
 * statement is prepared once, and `run` executes synchronous work in the
 * queue of units of work (TransactionRunner), so it never lands inside
 * another's open transaction; work of several statements is one
 * transaction of better-sqlite3's (`atomic`). Undefined on MySQL, where
 * writes go through TransactionRunner's transactions, which retry a lost
 * conflict.
 */
export interface SqliteWrites {
  prepare(sql: string): SqliteWrite;
  run<T>(work: () => T): Promise<T>;
  atomic<T>(work: () => T): T;
}

export function sqliteWrites(transactions: TransactionRunner): SqliteWrites | undefined {
  const connection: SqliteConnection | undefined = sqliteConnectionOf(transactions.dataSource);
  if (!connection) return undefined;
  return {
    prepare(sql) {
      let statement: ReturnType<SqliteConnection['prepare']> | undefined;
      return (...parameters) => {
        statement ??= connection.prepare(sql);
        return statement.run(...parameters).changes;
      };
    },
    run: (work) => transactions.outside(async () => work()),
    atomic: (work) => connection.transaction(work)(),
  };
}
