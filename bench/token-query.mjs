// npm run build && node bench/token-query.mjs [--users N] [mysql://user:pass@host:port/db]
//
// What one token check costs the database, query by query: the token row
// alone, then with its account, then with the account's profile (the full
// check), each a primary-key or unique-index search. On SQLite (a fresh file,
// schema by the service's migrations) it times prepared better-sqlite3
// statements in a loop and counts how often a statement was compiled again
// (better-sqlite3 builds a new row constructor with Function() each time
// SQLite re-prepares a statement, so counting those calls counts re-prepares).
// With a MySQL/MariaDB URL it seeds that database and times one lookup at a
// time (latency) and 50 in flight over a pool of 10 connections (throughput),
// through TypeORM's query(), mysql2's text protocol and its prepared statements.
import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../dist/database/database.options.js';
import { TOKEN_LOOKUP_SQL } from '../dist/auth/token-lookup.js';

const { values: flags, positionals } = parseArgs({ options: { users: { type: 'string', default: '10000' } }, allowPositionals: true });
const USERS = Number(flags.users);
const mysqlUrl = positionals[0];

// better-sqlite3 calls Function() once per (re)compiled statement to build its row constructor.
let compiles = 0;
globalThis.Function = new Proxy(globalThis.Function, {
  apply(target, self, args) {
    compiles++;
    return Reflect.apply(target, self, args);
  },
});

const TOKEN_ALONE = 'SELECT t.id AS token_id, t.user_id, t.expires_at, t.last_used_at FROM access_tokens t WHERE t.token_hash = ?';
const WITH_ACCOUNT = `SELECT t.id AS token_id, t.expires_at, t.last_used_at, u.id, u.email, u.status
  FROM access_tokens t INNER JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`;
/** The full check as it was written before: the same joins, the hash bound as a bare parameter. */
const WITH_PROFILE = `SELECT t.id AS token_id, t.expires_at, t.last_used_at, u.id, u.email, u.status,
  COALESCE(p.first_name, '') AS first_name, COALESCE(p.last_name, '') AS last_name, COALESCE(p.country, '') AS country,
  COALESCE(p.department, '') AS department, COALESCE(p.avatar, '') AS avatar
  FROM access_tokens t INNER JOIN users u ON u.id = t.user_id LEFT JOIN user_profiles p ON p.user_id = u.id
  WHERE t.token_hash = ?`;

const sha = (text) => createHash('sha256').update(text).digest('hex');
const now = Date.now();
const passwordHash = `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;
const accounts = Array.from({ length: USERS }, (_, i) => ({
  email: `query-${i}-${randomBytes(3).toString('hex')}@example.com`,
  tokenHash: sha(randomBytes(32).toString('base64url')),
  // Half the accounts wrote a profile, half never did (no row: the LEFT JOIN finds nothing).
  profile: i % 2 === 0,
}));
const hashAt = (i) => accounts[(i * 7919) % accounts.length].tokenHash;

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  '));
}

async function sqlite() {
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'one_auth-token-query-'));
  const path = join(dir, 'one_auth.sqlite');
  const options = buildDataSourceOptions({ database: { type: 'sqlite', path } });
  const dataSource = await new DataSource(options).initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  const seed = new Database(path);
  const insertUser = seed.prepare("INSERT INTO users (email, status, password_hash, created_at, updated_at) VALUES (?, 'active', ?, ?, ?)");
  const insertToken = seed.prepare(
    'INSERT INTO access_tokens (user_id, token_hash, public_id, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertProfile = seed.prepare(
    "INSERT INTO user_profiles (user_id, first_name, last_name, country, department, avatar, updated_at) VALUES (?, 'Ada', 'Lovelace', 'GB', 'Engines', '', ?)",
  );
  seed.transaction(() => {
    for (const account of accounts) {
      const { lastInsertRowid } = insertUser.run(account.email, passwordHash, now, now);
      insertToken.run(lastInsertRowid, account.tokenHash, randomBytes(16).toString('hex'), now, now + 86_400_000, now);
      if (account.profile) insertProfile.run(lastInsertRowid, now);
    }
  })();
  seed.pragma('journal_mode = DELETE');
  const image = seed.serialize();
  seed.close();

  // Opened as the service opens it (src/database/database.options.ts).
  const onFile = new Database(path);
  options.prepareDatabase(onFile);
  onFile.pragma('journal_mode = WAL');
  const inMemory = new Database(image);
  const cases = [
    ['token row alone', onFile, TOKEN_ALONE],
    ['+ users', onFile, WITH_ACCOUNT],
    ['+ users + user_profiles (before)', onFile, WITH_PROFILE],
    ['+ users + user_profiles (before), in memory', inMemory, WITH_PROFILE],
    ["the service's statement (token-lookup.ts)", onFile, TOKEN_LOOKUP_SQL.sqlite],
  ];
  const best = new Map();
  const reps = 50_000;
  // Rounds alternate the cases, the best of each is kept: the machine is shared.
  for (let round = 0; round < 5; round++) {
    for (const [name, db, sql] of cases) {
      const statement = db.prepare(sql);
      for (let i = 0; i < 2000; i++) statement.get(hashAt(i));
      const compiled = compiles;
      const started = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) statement.get(hashAt(i));
      const micros = Number(process.hrtime.bigint() - started) / 1000 / reps;
      const previous = best.get(name);
      if (!previous || micros < previous.micros) best.set(name, { micros, reprepares: (compiles - compiled) / reps });
    }
  }
  console.log(`\nSQLite ${onFile.prepare('SELECT sqlite_version() AS v').get().v}, ${USERS} accounts, one lookup at a time (best of 5 rounds of ${reps})`);
  table([
    ['query', 'µs per lookup', 're-prepares per lookup'],
    ...cases.map(([name]) => [name, best.get(name).micros.toFixed(2), best.get(name).reprepares.toFixed(2)]),
  ]);
  onFile.close();
  inMemory.close();
  rmSync(dir, { recursive: true, force: true });
}

async function mysqlServer(url) {
  const mysql = (await import('mysql2/promise')).default;
  const options = buildDataSourceOptions({ database: { type: 'mysql', url } });
  const dataSource = await new DataSource(options).initialize();
  await dataSource.runMigrations();
  const connection = await mysql.createConnection(url);
  for (let i = 0; i < accounts.length; i += 1000) {
    const chunk = accounts.slice(i, i + 1000);
    await connection.query('INSERT INTO users (email, status, password_hash, created_at, updated_at) VALUES ?', [
      chunk.map((a) => [a.email, 'active', passwordHash, now, now]),
    ]);
    const [rows] = await connection.query('SELECT id, email FROM users WHERE email IN (?)', [chunk.map((a) => a.email)]);
    const ids = new Map(rows.map((row) => [row.email, row.id]));
    await connection.query('INSERT INTO access_tokens (user_id, token_hash, public_id, created_at, expires_at, last_used_at) VALUES ?', [
      chunk.map((a) => [ids.get(a.email), a.tokenHash, randomBytes(16).toString('hex'), now, now + 86_400_000, now]),
    ]);
    const profiles = chunk.filter((a) => a.profile);
    await connection.query('INSERT INTO user_profiles (user_id, first_name, last_name, country, department, avatar, updated_at) VALUES ?', [
      profiles.map((a) => [ids.get(a.email), 'Ada', 'Lovelace', 'GB', 'Engines', '', now]),
    ]);
  }
  // The service's pool settings (database.options.ts), promise-style.
  const pool = mysql.createPool({ uri: url, ...options.extra, charset: options.charset, timezone: options.timezone, supportBigNumbers: true });
  const ways = {
    "TypeORM's query()": (sql, hash) => dataSource.query(sql, [hash]),
    'mysql2 text protocol': (sql, hash) => pool.query(sql, [hash]),
    'mysql2 prepared statement': (sql, hash) => pool.execute(sql, [hash]),
  };
  const cases = [];
  for (const [way, run] of Object.entries(ways)) {
    cases.push([`token row alone, ${way}`, run, TOKEN_ALONE]);
    cases.push([`+ users + user_profiles, ${way}`, run, WITH_PROFILE]);
  }
  const best = new Map();
  const keep = (name, key, value, better) => {
    const entry = best.get(name) ?? {};
    if (entry[key] === undefined || better(value, entry[key])) entry[key] = value;
    best.set(name, entry);
  };
  for (let round = 0; round < 3; round++) {
    for (const [name, run, sql] of cases) {
      for (let i = 0; i < 200; i++) await run(sql, hashAt(i));
      const reps = 2000;
      const started = performance.now();
      for (let i = 0; i < reps; i++) await run(sql, hashAt(i));
      keep(name, 'micros', ((performance.now() - started) * 1000) / reps, (a, b) => a < b);
      let done = 0;
      const deadline = performance.now() + 2000;
      await Promise.all(
        Array.from({ length: 50 }, async (_, worker) => {
          for (let i = worker; performance.now() < deadline; i += 50, done++) await run(sql, hashAt(i));
        }),
      );
      keep(name, 'perSecond', done / 2, (a, b) => a > b);
    }
  }
  const [[{ version }]] = await connection.query('SELECT VERSION() AS version');
  console.log(`\n${version}, ${USERS} accounts (best of 3 rounds)`);
  table([
    ['query', 'µs, one at a time', 'lookups/s, 50 in flight'],
    ...cases.map(([name]) => [name, best.get(name).micros.toFixed(0), best.get(name).perSecond.toFixed(0)]),
  ]);
  // Leaves the database as it found it: only this run's accounts (their tokens and profiles cascade).
  for (let i = 0; i < accounts.length; i += 1000) {
    await connection.query('DELETE FROM users WHERE email IN (?)', [accounts.slice(i, i + 1000).map((a) => a.email)]);
  }
  await connection.end();
  await pool.end();
  await dataSource.destroy();
}

await sqlite();
if (mysqlUrl) await mysqlServer(mysqlUrl);
