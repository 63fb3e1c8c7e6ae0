import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../../src/housekeeping/housekeeping.service.js';
import { STALE_PENDING_MS } from '../../src/rate-limit/rate-limiter.service.js';
import { createActiveUser, PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

const USER = '/one_auth/api/user';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const TABLES = ['users', 'validation_codes', 'access_tokens', 'mail_outbox', 'rate_events', 'rate_buckets', 'user_profiles', 'images'];
/** The default MAX_TOKENS_PER_ACCOUNT. */
const TOKEN_CAP = 100;
const REGISTRATIONS = Number(process.env.GROWTH_REGISTRATIONS ?? 5_000);
const LOGINS = Number(process.env.GROWTH_LOGINS ?? 1_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work(i)` for i in [0, count) with at most `width` at a time. */
async function pool(count: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/**
 * Growth under a flood, bounded: registrations with fresh addresses (accounts
 * never activated) and logins of one account (tokens), then one sweep with
 * short windows leaves only what is in use. Row counts and database size
 * before and after go to the output. Minutes long on a busy machine, hence
 * a project of its own (npm run test:growth).
 */
describe('bounded growth', () => {
  let t: TestApp;
  const mysql = () => t.dataSource.options.type === 'mysql';
  const count = async (sql: string, params: unknown[] = []) => Number(((await t.dataSource.query(sql, params)) as { n: unknown }[])[0].n);
  const sweep = () => t.app.get(HousekeepingService).runOnce();

  beforeAll(async () => {
    t = await startTestApp({
      INACTIVE_ACCOUNT_TTL: '1s',
      // Each registration comes from its own client address, as a flood from many would.
      TRUST_PROXY: 'true',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
      // Short windows, so that the sweep finds everything of the flood done with.
      LIMIT_CODE_MAILS_PER_EMAIL: '5/1s',
      LIMIT_CODE_MAILS_PER_ADDRESS: '200/1s',
      LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '10/1s',
      LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100/1s',
      LIMIT_LOGIN_FAILURES_PER_ADDRESS: '100/1s',
      LIMIT_CODE_FAILURES_PER_ACCOUNT: '20/1s',
      CODE_RESEND_INTERVAL: '1s',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it(`${REGISTRATIONS} registrations and ${LOGINS} logins of one account, then one sweep: only what is in use is left`, async () => {
    const started = Date.now();
    const label = `growth${Date.now().toString(36)}`;
    const owner = await createActiveUser(t, `${label}-owner@example.com`);
    await pool(REGISTRATIONS, 16, async (i) => {
      const response = await t.http
        .post(USER)
        .set('X-Forwarded-For', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
        .send({ email: `${label}-${i}@example.com` });
      expect(response.status).toBe(201);
    });
    const registered = Date.now();
    await pool(LOGINS, 4, async () => {
      await t.http.get(TOKENS).auth(owner.email, PASSWORD).expect(200);
    });
    const loggedIn = Date.now();

    const mine = async () => ({
      accounts: await count('SELECT COUNT(*) AS n FROM users WHERE email LIKE ?', [`${label}-%`]),
      codes: await count('SELECT COUNT(*) AS n FROM validation_codes c JOIN users u ON u.id = c.user_id WHERE u.email LIKE ?', [
        `${label}-%`,
      ]),
      tokens: await count('SELECT COUNT(*) AS n FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = ?', [owner.email]),
      mail: await count('SELECT COUNT(*) AS n FROM mail_outbox WHERE recipient LIKE ?', [`${label}-%`]),
    });
    // Rate-limit rows are keyed by hashes: this test's are those made or touched since it started (on MariaDB the
    // suites before it share the database, and an attempt one of them cut off stays pending a while).
    const floodRateRows = async () => ({
      events: await count('SELECT COUNT(*) AS n FROM rate_events WHERE at >= ?', [started]),
      buckets: await count('SELECT COUNT(*) AS n FROM rate_buckets WHERE touched_at >= ?', [started]),
    });
    const before = { tables: await tableCounts(), mine: await mine(), rate: await floodRateRows(), size: await databaseSize() };
    expect(before.mine).toEqual({ accounts: REGISTRATIONS + 1, codes: REGISTRATIONS, tokens: TOKEN_CAP, mail: REGISTRATIONS + 1 });

    await sleep(1100);
    const sweptAt = Date.now();
    const report = await sweep();
    const after = { tables: await tableCounts(), mine: await mine(), rate: await floodRateRows(), size: await databaseSize() };
    console.log(
      [
        `growth test on ${mysql() ? 'MariaDB' : 'SQLite'}: ${REGISTRATIONS} registrations in ${registered - started} ms, ` +
          `${LOGINS} logins in ${loggedIn - registered} ms, sweep in ${Date.now() - sweptAt} ms`,
        `sweep: ${JSON.stringify(report)}`,
        `rows before: ${JSON.stringify(before.tables)}`,
        `rows after:  ${JSON.stringify(after.tables)}`,
        `this test's rows before: ${JSON.stringify({ ...before.mine, rate: before.rate })}, ` +
          `after: ${JSON.stringify({ ...after.mine, rate: after.rate })}`,
        `database size before: ${before.size.text}`,
        `database size after:  ${after.size.text}`,
      ].join('\n'),
    );

    // The one active account, its capped tokens; nothing else of the flood.
    expect(after.mine).toEqual({ accounts: 1, codes: 0, tokens: TOKEN_CAP, mail: 0 });
    expect(report.inactiveAccounts).toBeGreaterThanOrEqual(REGISTRATIONS);
    // Every limit window is a second long: no counted event of the flood older than that is left, nor a pending
    // place (an attempt under way) older than STALE_PENDING_MS; one bucket row per client address and email of the
    // flood, none untouched for longer than the window. What is left, and why, goes to the output.
    const windowEnd = sweptAt - 1000;
    const leftover = (await t.dataSource.query('SELECT pending, at FROM rate_events WHERE at >= ? ORDER BY at', [started])) as {
      pending: unknown;
      at: unknown;
    }[];
    const bucketsLeft = (await t.dataSource.query('SELECT touched_at AS touchedAt FROM rate_buckets WHERE touched_at >= ?', [started])) as {
      touchedAt: unknown;
    }[];
    if (leftover.length + bucketsLeft.length > 0)
      console.log(
        `left after the sweep: events ${JSON.stringify(leftover.map((e) => ({ pending: Number(e.pending) === 1, ageMs: sweptAt - Number(e.at) })))}, ` +
          `buckets touched ${JSON.stringify(bucketsLeft.map((b) => sweptAt - Number(b.touchedAt)))} ms before the sweep`,
      );
    expect(before.rate.events).toBeGreaterThanOrEqual(REGISTRATIONS);
    expect(
      leftover.filter((e) => (Number(e.pending) !== 1 && Number(e.at) < windowEnd) || Number(e.at) < sweptAt - STALE_PENDING_MS),
    ).toEqual([]);
    expect(after.rate.events).toBeLessThan(16);
    expect(before.rate.buckets).toBeGreaterThanOrEqual(REGISTRATIONS);
    expect(bucketsLeft.filter((b) => Number(b.touchedAt) < windowEnd)).toEqual([]);
    expect(after.rate.buckets).toBeLessThan(16);
    await t.http.get(VALIDATIONS).auth(owner.email, owner.token).expect(401);
    if (!mysql()) expect(after.size.usedBytes).toBeLessThan(before.size.usedBytes / 2);
  });

  async function tableCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of TABLES) counts[table] = await count(`SELECT COUNT(*) AS n FROM ${table}`);
    return counts;
  }

  /** SQLite: the file (and its write-ahead log) and the pages holding data; MariaDB: InnoDB's own figures. */
  async function databaseSize(): Promise<{ text: string; usedBytes: number }> {
    if (mysql()) {
      const tables = TABLES.map(() => '?').join(', ');
      await t.dataSource.query(`ANALYZE TABLE ${TABLES.join(', ')}`);
      const [row] = (await t.dataSource.query(
        `SELECT SUM(data_length + index_length) AS used, SUM(data_free) AS free FROM information_schema.tables
          WHERE table_schema = DATABASE() AND table_name IN (${tables})`,
        TABLES,
      )) as { used: string; free: string }[];
      return { text: `InnoDB data+index ${mib(Number(row.used))}, free ${mib(Number(row.free))}`, usedBytes: Number(row.used) };
    }
    const file = t.dataSource.options.database as string;
    const size = (path: string) => {
      try {
        return statSync(path).size;
      } catch {
        return 0;
      }
    };
    const pragma = async (name: string) => Number(Object.values(((await t.dataSource.query(`PRAGMA ${name}`)) as object[])[0])[0]);
    const pageSize = await pragma('page_size');
    const usedBytes = ((await pragma('page_count')) - (await pragma('freelist_count'))) * pageSize;
    return {
      text: `file ${mib(size(file))}, WAL ${mib(size(`${file}-wal`))}, pages in use ${mib(usedBytes)} (free pages are reused)`,
      usedBytes,
    };
  }
});

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)} MiB`;
}
