// Active accounts, each with a token (a session), written straight into the
// service's database: the benchmark measures the service, not its sign-up.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import argon2 from 'argon2';
import Database from 'better-sqlite3';

/** Every seeded account's password (S3 logs in with it). */
export const SEEDED_PASSWORD = 'bench password 1234';

const TOKEN_TTL_MS = 30 * 86_400_000;
const sha256 = (token) => createHash('sha256').update(token).digest('hex');
// Each token is a session with its own public id, as the service records at login.
const sessionId = () => randomBytes(16).toString('hex');

/** Seeds `count` accounts into the service's database; answers their emails and tokens. */
export async function seedAccounts(service, count) {
  const hash = await argon2.hash(SEEDED_PASSWORD, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const now = Date.now();
  const users = Array.from({ length: count }, (_, i) => ({
    email: `bench-${i}-${randomBytes(3).toString('hex')}@example.com`,
    token: randomBytes(32).toString('base64url'),
  }));
  if (service.databaseUrl.startsWith('mysql://')) {
    const mysql = (await import('mysql2/promise')).default;
    const connection = await mysql.createConnection(service.databaseUrl);
    for (let i = 0; i < users.length; i += 1000) {
      const chunk = users.slice(i, i + 1000);
      await connection.query('INSERT INTO users (email, status, password_hash, created_at, updated_at) VALUES ?', [
        chunk.map((u) => [u.email, 'active', hash, now, now]),
      ]);
      const [rows] = await connection.query('SELECT id, email FROM users WHERE email IN (?)', [chunk.map((u) => u.email)]);
      const ids = new Map(rows.map((row) => [row.email, row.id]));
      await connection.query('INSERT INTO access_tokens (user_id, token_hash, public_id, created_at, expires_at, last_used_at) VALUES ?', [
        chunk.map((u) => [ids.get(u.email), sha256(u.token), sessionId(), now, now + TOKEN_TTL_MS, now]),
      ]);
    }
    await connection.end();
  } else {
    const db = new Database(join(service.dataDir, 'one_auth.sqlite'));
    db.pragma('busy_timeout = 5000');
    const insertUser = db.prepare("INSERT INTO users (email, status, password_hash, created_at, updated_at) VALUES (?, 'active', ?, ?, ?)");
    const insertToken = db.prepare(
      'INSERT INTO access_tokens (user_id, token_hash, public_id, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const user of users) {
        const { lastInsertRowid } = insertUser.run(user.email, hash, now, now);
        insertToken.run(lastInsertRowid, sha256(user.token), sessionId(), now, now + TOKEN_TTL_MS, now);
      }
    })();
    db.close();
  }
  return users;
}
