import type { DataSource } from 'typeorm';
import { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver.js';

/** The part of better-sqlite3's connection used here: statements prepared once, run many times. */
export interface SqliteConnection {
  prepare(sql: string): {
    get(...parameters: unknown[]): unknown;
    all(...parameters: unknown[]): unknown[];
    run(...parameters: unknown[]): { changes: number };
  };
  /** better-sqlite3's synchronous transaction: `fn` wrapped in BEGIN … COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: () => T): () => T;
}

/**
 * better-sqlite3's own connection, which TypeORM's driver exposes as
 * `databaseConnection`; undefined on any other database.
 */
export function sqliteConnectionOf(dataSource: DataSource): SqliteConnection | undefined {
  const driver = dataSource.driver;
  return driver instanceof BetterSqlite3Driver ? (driver.databaseConnection as SqliteConnection) : undefined;
}
