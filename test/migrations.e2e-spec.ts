import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../src/config/app-config.js';
import { buildDataSourceOptions, MIGRATIONS } from '../src/database/database.options.js';
import { scratchDatabase } from './helpers/scratch-database.js';

const FIELDS = ['first_name', 'last_name', 'country', 'department', 'avatar'] as const;
type Profile = Record<(typeof FIELDS)[number], string>;

const EMPTY: Profile = { first_name: '', last_name: '', country: '', department: '', avatar: '' };
/** Profiles as the schema before `user_profiles` held them: edge cases of length, encoding, quoting and blanks. */
const PROFILES: Profile[] = [
  { first_name: 'Jennifer', last_name: 'Lee', country: 'China', department: 'BSC', avatar: 'http://testurl/image.png' },
  EMPTY,
  { ...EMPTY, avatar: `https://cdn.example.com/${'a'.repeat(2048 - 'https://cdn.example.com/'.length)}` },
  { first_name: 'é'.repeat(100), last_name: '😀'.repeat(100), country: 'Ünïcödé 中文', department: 'R&D', avatar: '' },
  { first_name: 'O\'Brien "Quote" \\ back', last_name: '  padded  ', country: ' ', department: '', avatar: '' },
  { ...EMPTY, department: '   ' },
];

/** The schema that held profile columns in `users`: every migration before the one that moved them. */
const OLD_MIGRATION_COUNT = 2;

const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex').toUpperCase();

/** A DataSource on `database` that knows the first `migrationCount` migrations of its dialect. */
function openWith(database: DatabaseConfig, migrationCount: number): Promise<DataSource> {
  const options = buildDataSourceOptions({ database });
  const dialect = database.type === 'sqlite' ? 'sqlite' : 'mysql';
  return new DataSource({ ...options, migrations: MIGRATIONS[dialect].slice(0, migrationCount) } as DataSourceOptions).initialize();
}

describe('migration: profiles move from users to user_profiles and back', () => {
  let database: DatabaseConfig;
  let cleanup: () => Promise<void>;
  const dialect = () => (database.type === 'sqlite' ? 'sqlite' : 'mysql');

  beforeAll(async () => {
    ({ database, drop: cleanup } = await scratchDatabase('migration'));
  });

  afterAll(async () => {
    await cleanup?.();
  });

  const open = (migrationCount: number) => openWith(database, migrationCount);

  /** Each account's profile as stored, in hex so the comparison is byte for byte; "" where no value is stored. */
  async function storedProfiles(source: DataSource, table: 'users' | 'user_profiles'): Promise<Map<string, Profile>> {
    const columns = FIELDS.map((f) => `HEX(p.${f}) AS ${f}`).join(', ');
    const sql =
      table === 'users'
        ? `SELECT p.email, ${columns} FROM users p`
        : `SELECT u.email, ${columns} FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id`;
    const rows = (await source.query(sql)) as Array<{ email: string } & Record<string, string | null>>;
    return new Map(rows.map((row) => [row.email, Object.fromEntries(FIELDS.map((f) => [f, row[f] ?? ''])) as Profile]));
  }

  const expected = () => new Map(PROFILES.map((profile, i) => [`person-${i}@example.com`, mapValues(profile, hex)]));

  it('keeps every profile byte for byte, up and down, on a database that has accounts', async () => {
    const old = await open(OLD_MIGRATION_COUNT);
    await old.runMigrations();
    const now = Date.now();
    for (const [i, profile] of PROFILES.entries()) {
      await old.query(
        `INSERT INTO users (email, status, password_hash, ${FIELDS.join(', ')}, code_sent_at, created_at, updated_at)
         VALUES (?, 'active', 'hash', ?, ?, ?, ?, ?, NULL, ?, ?)`,
        [`person-${i}@example.com`, ...FIELDS.map((f) => profile[f]), now, now + i],
      );
    }
    expect(await storedProfiles(old, 'users')).toEqual(expected());
    await old.destroy();

    // Up to the migration under test; later ones are not its subject.
    const current = await open(OLD_MIGRATION_COUNT + 1);
    const applied = await current.runMigrations();
    expect(applied.map((m) => m.name)).toEqual([MIGRATIONS[dialect()][OLD_MIGRATION_COUNT].name]);
    expect(await storedProfiles(current, 'user_profiles')).toEqual(expected());
    const runner = current.createQueryRunner();
    for (const field of FIELDS) expect(await runner.hasColumn('users', field)).toBe(false);
    // An account that never set anything has no profile row at all.
    const [{ count }] = await current.query('SELECT COUNT(*) AS count FROM user_profiles');
    expect(Number(count)).toBe(PROFILES.filter((p) => FIELDS.some((f) => p[f] !== '')).length);
    // A profile goes with its account.
    await current.query(`DELETE FROM users WHERE email = 'person-0@example.com'`);
    const [{ remaining }] = await current.query('SELECT COUNT(*) AS remaining FROM user_profiles');
    expect(Number(remaining)).toBe(Number(count) - 1);
    await current.query(
      `INSERT INTO users (id, email, status, password_hash, code_sent_at, created_at, updated_at)
       VALUES (?, 'person-0@example.com', 'active', 'hash', NULL, ?, ?)`,
      [9000, now, now],
    );
    await current.query(`INSERT INTO user_profiles (user_id, ${FIELDS.join(', ')}, updated_at) VALUES (9000, ?, ?, ?, ?, ?, ?)`, [
      ...FIELDS.map((f) => PROFILES[0][f]),
      now,
    ]);

    await current.undoLastMigration();
    expect(await runner.hasTable('user_profiles')).toBe(false);
    expect(await storedProfiles(current, 'users')).toEqual(expected());
    await runner.release();
    await current.destroy();
  });
});

describe('migration: every queued mail gets its own Message-ID', () => {
  const NEW_MIGRATION = MIGRATIONS.sqlite.findIndex((migration) => migration.name.startsWith('OutboxMessageIds'));
  let database: DatabaseConfig;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ database, drop: cleanup } = await scratchDatabase('migration'));
  });

  afterAll(async () => {
    await cleanup?.();
  });

  const messageIds = async (source: DataSource) =>
    ((await source.query('SELECT message_id FROM mail_outbox ORDER BY id')) as { message_id: string }[]).map((row) => row.message_id);

  it('gives each message already in the outbox a random id of its own, resumes a run cut short, and goes back down', async () => {
    expect(NEW_MIGRATION).toBeGreaterThan(0);
    const old = await openWith(database, NEW_MIGRATION);
    await old.runMigrations();
    const now = Date.now();
    for (const [i, status] of ['pending', 'pending', 'sent', 'failed'].entries()) {
      await old.query(
        `INSERT INTO mail_outbox (recipient, purpose, payload, status, attempts, next_attempt_at, created_at) VALUES (?, 'validation_code', '', ?, 0, ?, ?)`,
        [`queued-${i}@example.com`, status, now, now],
      );
    }
    if (database.type === 'mysql') {
      // A run of the migration that died after its first statement (MySQL commits DDL at once).
      await old.query('ALTER TABLE `mail_outbox` ADD COLUMN `message_id` varchar(32) NULL');
    }
    await old.destroy();

    const current = await openWith(database, NEW_MIGRATION + 1);
    const applied = await current.runMigrations();
    expect(applied.map((m) => m.name)).toEqual([MIGRATIONS[database.type === 'sqlite' ? 'sqlite' : 'mysql'][NEW_MIGRATION].name]);
    const ids = await messageIds(current);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(4);
    // Two messages can never share one.
    await expect(
      current.query(
        `INSERT INTO mail_outbox (message_id, recipient, purpose, payload, status, attempts, next_attempt_at, created_at) VALUES (?, 'x@example.com', 'validation_code', '', 'pending', 0, ?, ?)`,
        [ids[0], now, now],
      ),
    ).rejects.toThrow();

    await current.undoLastMigration();
    const runner = current.createQueryRunner();
    expect(await runner.hasColumn('mail_outbox', 'message_id')).toBe(false);
    expect(Number(((await current.query('SELECT COUNT(*) AS n FROM mail_outbox')) as { n: unknown }[])[0].n)).toBe(4);
    await runner.release();
    await current.destroy();
  });
});

function mapValues<T extends Record<string, string>>(object: T, fn: (value: string) => string): T {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)])) as T;
}
