import type { ProfileFields } from '../profile/profile-fields.js';
import type { Account } from '../users/users.service.js';

/**
 * What the token check needs, fetched in one indexed query (no ORM
 * hydration on the hot path): the token by its unique hash, its account by
 * primary key, and the account's profile by primary key. An account that
 * never wrote its profile has no profile row: its fields read as "".
 */
export const TOKEN_LOOKUP_SQL = `SELECT t.id AS token_id, t.expires_at, t.last_used_at, u.id, u.email, u.status,
  COALESCE(p.first_name, '') AS first_name, COALESCE(p.last_name, '') AS last_name, COALESCE(p.country, '') AS country,
  COALESCE(p.department, '') AS department, COALESCE(p.avatar, '') AS avatar
  FROM access_tokens t INNER JOIN users u ON u.id = t.user_id LEFT JOIN user_profiles p ON p.user_id = u.id
  WHERE t.token_hash = ?`;

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
