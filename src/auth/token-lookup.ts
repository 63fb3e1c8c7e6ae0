import type { UserEntity } from '../users/user.entity.js';

/** What the token check needs, fetched in one indexed query (no ORM hydration on the hot path). */
export const TOKEN_LOOKUP_SQL = `SELECT t.id AS token_id, t.expires_at, t.last_used_at,
  u.id, u.email, u.status, u.first_name, u.last_name, u.country, u.department, u.avatar
  FROM access_tokens t INNER JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`;

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

/** The account behind a token: everything but secrets. */
export type TokenUser = Pick<UserEntity, 'id' | 'email' | 'status' | 'firstName' | 'lastName' | 'country' | 'department' | 'avatar'>;

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
