import type { DataSource } from 'typeorm';
import { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver.js';
import type { CausalReads } from '../database/causal-reads.js';
import { sqliteConnectionOf } from '../database/sqlite-connection.js';
import type { ProfileFields } from '../profile/profile-fields.js';
import type { Account } from '../users/users.service.js';

const SELECT_TOKEN = `SELECT t.id AS token_id, t.expires_at, t.last_used_at, u.id, u.email, u.status,
  COALESCE(p.first_name, '') AS first_name, COALESCE(p.last_name, '') AS last_name, COALESCE(p.country, '') AS country,
  COALESCE(p.department, '') AS department, COALESCE(p.avatar, '') AS avatar
  FROM access_tokens t INNER JOIN users u ON u.id = t.user_id LEFT JOIN user_profiles p ON p.user_id = u.id`;

/**
 * What the token check needs, fetched in one indexed query (no ORM
 * hydration on the hot path): the token by its unique hash, its account by
 * primary key, and the account's profile by primary key. An account that
 * never wrote its profile has no profile row: its fields read as "".
 *
 * On SQLite the hash is bound as `CAST(? AS TEXT)`, not a bare `?`. For a
 * join, SQLite's planner notes that a bare parameter compared with a column
 * might change the plan (whereLoopOutputAdjust: "re-prepare if it becomes 0
 * or 1"), and better-sqlite3 calls sqlite3_clear_bindings() after every run,
 * which expires any statement carrying such a note. Bound bare, the prepared
 * statement was parsed and planned again on every check (and better-sqlite3
 * rebuilt its row constructor each time): 24 µs instead of 4 µs
 * (bench/token-query.mjs). The cast is an expression, not a parameter, so
 * the plan is made once; the column is TEXT, so the unique index still
 * serves the search.
 */
export const TOKEN_LOOKUP_SQL = {
  sqlite: `${SELECT_TOKEN} WHERE t.token_hash = CAST(? AS TEXT)`,
  mysql: `${SELECT_TOKEN} WHERE t.token_hash = ?`,
} as const;

export interface TokenRow {
  token_id: number | string;
  expires_at: number | string;
  last_used_at: number | string;
  id: number | string;
  email: string;
  status: string;
  first_name: string;
  last_name: string;
  country: string;
  department: string;
  avatar: string;
}

/** The account behind a token, with its profile: everything but secrets. */
export type TokenUser = Pick<Account, 'id' | 'email' | 'status'> & ProfileFields;

export function toTokenUser(row: TokenRow): TokenUser {
  return {
    id: Number(row.id),
    email: row.email,
    status: row.status as TokenUser['status'],
    firstName: row.first_name,
    lastName: row.last_name,
    country: row.country,
    department: row.department,
    avatar: row.avatar,
  };
}

/** Runs the token query for one token hash. */
export type TokenLookup = (tokenHash: string) => Promise<TokenRow | undefined>;

interface PreparedStatement {
  get(tokenHash: string): TokenRow | undefined;
}

interface MysqlPool {
  execute(sql: string, values: unknown[], callback: (error: Error | null, rows: TokenRow[]) => void): void;
}

/**
 * The token query without the ORM's per-query work, since it runs on every
 * authenticated request. SQLite: a statement prepared once on
 * better-sqlite3's connection. MySQL: a server-side prepared statement on
 * the ORM's own pool (mysql2 prepares it once per connection and keeps it),
 * so the server does not parse and plan the joins again on every check as
 * it does for the text protocol of the ORM's query(); causal on a cluster,
 * so a token revoked through another node is refused here at once.
 */
export function createTokenLookup(dataSource: DataSource, causal: CausalReads): TokenLookup {
  const sqlite = sqliteConnectionOf(dataSource);
  if (sqlite) {
    let statement: PreparedStatement | undefined;
    return async (tokenHash) => {
      statement ??= sqlite.prepare(TOKEN_LOOKUP_SQL.sqlite) as PreparedStatement;
      return statement.get(tokenHash);
    };
  }
  return (tokenHash) => {
    // TypeORM's MySQL driver exposes its mysql2 pool once connected.
    const pool = dataSource.driver instanceof MysqlDriver ? (dataSource.driver.pool as MysqlPool | undefined) : undefined;
    // The prefix is known once the database has said whether it is a cluster node (at start).
    const sql = causal.sql(TOKEN_LOOKUP_SQL.mysql);
    if (!pool) return causal.query<TokenRow>(TOKEN_LOOKUP_SQL.mysql, [tokenHash]).then((rows) => rows[0]);
    return new Promise((resolve, reject) => {
      pool.execute(sql, [tokenHash], (error, rows) => (error ? reject(error) : resolve(rows[0])));
    });
  };
}
