import type { DataSource } from 'typeorm';
import type { CausalReads } from '../database/causal-reads.js';
import { type PreparedRead, preparedRead } from '../database/prepared-read.js';

const SELECT_ACCOUNT = `SELECT u.id, u.email, u.status,
  COALESCE(p.first_name, '') AS first_name, COALESCE(p.last_name, '') AS last_name, COALESCE(p.country, '') AS country,
  COALESCE(p.department, '') AS department, COALESCE(p.avatar, '') AS avatar
  FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id`;

/** An account and its profile's fields ("" when unset or never written), by its public id. */
export interface AccountRow {
  id: number | string;
  email: string;
  status: string;
  first_name: string;
  last_name: string;
  country: string;
  department: string;
  avatar: string;
}

/**
 * The provider's read of an account: the account by its unique public id
 * and its profile by primary key, in one indexed query prepared once, as
 * the token check reads token, account and profile (auth/token-lookup.ts).
 */
export function createAccountLookup(dataSource: DataSource, causal: CausalReads): PreparedRead<AccountRow> {
  return preparedRead(dataSource, causal, {
    sqlite: `${SELECT_ACCOUNT} WHERE u.public_id = CAST(? AS TEXT)`,
    mysql: `${SELECT_ACCOUNT} WHERE u.public_id = ?`,
  });
}
