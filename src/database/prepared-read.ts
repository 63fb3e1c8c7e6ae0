import type { DataSource } from 'typeorm';
import { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver.js';
import type { CausalReads } from './causal-reads.js';
import { sqliteConnectionOf } from './sqlite-connection.js';

/** One SELECT in each dialect: SQLite binds text keys as `CAST(? AS TEXT)` (token-lookup.ts says why). */
export interface DialectSql {
  sqlite: string;
  mysql: string;
}

/** Runs the read with these parameters; its rows. */
export type PreparedRead<Row> = (...parameters: unknown[]) => Promise<Row[]>;

interface MysqlPool {
  execute(sql: string, values: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
}

/**
 * A read on a path every request of a kind takes, without the ORM's
 * per-query work (building a query runner, escaping, hydrating), as the
 * token check's own query does (auth/token-lookup.ts): on SQLite a
 * statement prepared once on better-sqlite3's connection; on MySQL a
 * server-side prepared statement on the ORM's pool (mysql2 prepares it once
 * per connection and keeps it), causal on a Galera cluster.
 */
export function preparedRead<Row>(dataSource: DataSource, causal: CausalReads, sql: DialectSql): PreparedRead<Row> {
  const sqlite = sqliteConnectionOf(dataSource);
  if (sqlite) {
    let statement: ReturnType<typeof sqlite.prepare> | undefined;
    return async (...parameters) => {
      statement ??= sqlite.prepare(sql.sqlite);
      return statement.all(...parameters) as Row[];
    };
  }
  return (...parameters) => {
    // TypeORM's MySQL driver exposes its mysql2 pool once connected.
    const pool = dataSource.driver instanceof MysqlDriver ? (dataSource.driver.pool as MysqlPool | undefined) : undefined;
    if (!pool) return causal.query<Row>(sql.mysql, parameters);
    // The prefix is known once the database has said whether it is a cluster node (at start).
    const text = causal.sql(sql.mysql);
    return new Promise((resolve, reject) => {
      pool.execute(text, parameters, (error, rows) => (error ? reject(error) : resolve(rows as Row[])));
    });
  };
}
