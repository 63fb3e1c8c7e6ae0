import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostileJson, malformedAuthorization, seededRandom } from './helpers/fuzz.js';
import {
  createActiveUser,
  forgetLastCodeTime,
  MAIL_DOMAIN,
  PASSWORD,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const CODE = '/one_auth/api/validation_code';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const PROFILE = '/one_auth/api/user/profile';

let addressCounter = 0;
/** A client address of its own (honoured because the app trusts the proxy): limits per address start empty. */
const ipv4 = () => {
  addressCounter++;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The service's security rules as scenarios with measurable outcomes. This app trusts
 * X-Forwarded-For (TRUST_PROXY=true) so that each test can act from its own
 * client address; it logs at debug level so the logs can be searched for
 * secrets at the end.
 */
describe('security rules', () => {
  let t: TestApp;
  const secrets: string[] = [];
  const output: string[] = [];

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      });
    }
    t = await startTestApp({
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'debug',
      // The per-address limits stay those of test-app.ts (out of the way): on MariaDB the suites of a run share the
      // database, and with it the bucket of 127.0.0.1. The per-address login limit has its own test below.
    });
  });
  afterAll(async () => {
    await t.close();
    vi.restoreAllMocks();
  });

  async function activeUser(email = uniqueEmail('sec'), password = PASSWORD) {
    const user = await createActiveUser(t, email, password);
    secrets.push(user.token, user.password);
    return user;
  }

  describe('codes', () => {
    it('of 50 parallel uses of one code exactly one wins, on any database', async () => {
      const email = uniqueEmail('race');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      secrets.push(code);
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => t.http.put(USER).send({ email, validation_code: code, password: PASSWORD })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      // Losers see "Invalid code"; those arriving after the win are wrong-code attempts, and past 20 of those, 429.
      const losers = responses.filter((response) => response.status !== 200);
      expect(
        losers.every((response) => response.status === 422 || response.status === 429),
        JSON.stringify(losers.map((r) => r.status)),
      ).toBe(true);
      expect(losers.filter((response) => response.status === 429).length).toBeLessThanOrEqual(30);
      const winner = responses.find((response) => response.status === 200)!;
      secrets.push(winner.body.access_token);
      const [{ count }] = await t.dataSource.query(
        'SELECT COUNT(*) AS count FROM access_tokens WHERE user_id = (SELECT id FROM users WHERE email = ?)',
        [email],
      );
      expect(Number(count)).toBe(1);
    });

    it('counts failed checks per account over the hour: a new code does not reset them (429 past 20)', async () => {
      const email = uniqueEmail('guess');
      await t.http.post(USER).send({ email }).expect(201);
      let code = await t.smtp.waitForCode(email);
      let failures = 0;
      for (let round = 2; failures < 20; round++) {
        for (let i = 0; i < 5 && failures < 20; i++, failures++) {
          const wrong = code === '000000' ? '000001' : '000000';
          await t.http.put(CODE).send({ email, validation_code: wrong }).expect(422);
        }
        await forgetLastCodeTime(t, email);
        await t.http.post(USER).send({ email }).expect(201);
        code = await t.smtp.waitForCode(email, round);
      }
      const blocked = await t.http.put(CODE).send({ email, validation_code: code }).expect(429);
      expect(blocked.body).toEqual({ message: 'Too many wrong codes, please retry later' });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(3000);
      await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(429);
    });

    it('stores codes only as keyed hashes', async () => {
      const email = uniqueEmail('hashed');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      secrets.push(code);
      const rows = await t.dataSource.query('SELECT * FROM validation_codes');
      const outbox = await t.dataSource.query('SELECT * FROM mail_outbox');
      expect(JSON.stringify(rows)).not.toMatch(new RegExp(`"${code}"`));
      expect(rows.map((row: { code_hash: string }) => row.code_hash)).not.toContain(code);
      expect(JSON.stringify(outbox)).not.toContain(code);
    });
  });

  describe('brute force on logins', () => {
    it('refuses the 11th failure for one account from one address with 429 and Retry-After, then any login from there', async () => {
      const user = await activeUser();
      const address = ipv4();
      for (let i = 0; i < 10; i++) {
        await t.http.get(TOKENS).auth(user.email, `wrong-${i}`).set('X-Forwarded-For', address).expect(401);
      }
      const blocked = await t.http.get(TOKENS).auth(user.email, 'wrong-10').set('X-Forwarded-For', address).expect(429);
      expect(blocked.body).toEqual({ message: 'Too many failed logins, please retry later' });
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(800);
      expect(retryAfter).toBeLessThanOrEqual(900);
      await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', address).expect(429);
      // Another address is not locked out of this account.
      await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', ipv4()).expect(200);
    });

    it('lets no more than 10 of 40 parallel failures through to a password check', async () => {
      const user = await activeUser();
      const address = ipv4();
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) => t.http.get(TOKENS).auth(user.email, `parallel-${i}`).set('X-Forwarded-For', address)),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(30);
      expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    });

    it('never throttles successful logins, one after another or 30 at once from one address', async () => {
      const user = await activeUser();
      const address = ipv4();
      for (let i = 0; i < 15; i++) {
        await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', address).expect(200);
      }
      const parallel = await Promise.all(
        Array.from({ length: 30 }, () => t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', address)),
      );
      expect(parallel.map((response) => response.status)).toEqual(parallel.map(() => 200));
    });

    // The check is that both answers cost one argon2 verification: without the dummy hash an unknown
    // address answers in a fraction of the time. Each round sends the two one after the other, and the
    // median of the rounds' differences is compared, so that a load change on the machine falls on
    // both sides; the bound is 5 ms, or a tenth of a login on a machine slow enough to make 5 ms noise.
    it('answers unknown email and wrong password in about the same time (paired medians within 5 ms or 10 %)', async () => {
      const user = await activeUser();
      const unknown: number[] = [];
      const wrong: number[] = [];
      const differences: number[] = [];
      for (let i = 0; i < 30; i++) {
        const took: number[] = [];
        for (const email of i % 2 ? [uniqueEmail('ghost'), user.email] : [user.email, uniqueEmail('ghost')]) {
          const started = process.hrtime.bigint();
          await t.http.get(TOKENS).auth(email, `not-the-password-${i}`).set('X-Forwarded-For', ipv4()).expect(401);
          took.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        const [ghostMs, wrongMs] = i % 2 ? took : [took[1], took[0]];
        unknown.push(ghostMs);
        wrong.push(wrongMs);
        differences.push(wrongMs - ghostMs);
      }
      const difference = Math.abs(median(differences));
      console.info(
        `login timing: unknown email ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms, paired difference ${difference.toFixed(1)} ms`,
      );
      expect(difference).toBeLessThan(Math.max(5, 0.1 * median(wrong)));
    });
  });

  describe('hostile input', () => {
    it('answers hundreds of malformed Authorization headers with 401 or 429, never 5xx', async () => {
      const random = seededRandom(20261125);
      const statuses = new Set<number>();
      for (let i = 0; i < 300; i++) {
        const path = [TOKENS, VALIDATIONS, PROFILE][i % 3];
        const response = await t.http.get(path).set('Authorization', malformedAuthorization(random)).set('X-Forwarded-For', ipv4());
        statuses.add(response.status);
        expect(response.status, `case ${i}`).toBeLessThan(500);
        expect(response.body.message).toEqual(expect.any(String));
      }
      expect([...statuses].every((status) => status === 401 || status === 429)).toBe(true);
    });

    it('answers hundreds of hostile JSON bodies with 4xx and {message}, never 5xx', async () => {
      const user = await activeUser();
      const random = seededRandom(42);
      for (let i = 0; i < 300; i++) {
        const body = hostileJson(random);
        const call = [t.http.post(USER), t.http.put(USER), t.http.put(CODE), t.http.put(PROFILE).auth(user.email, user.token)][i % 4];
        const response = await call.set('Content-Type', 'application/json').set('X-Forwarded-For', ipv4()).send(body);
        expect(response.status, `case ${i}: ${body.slice(0, 80)}`).toBeLessThan(500);
        if (response.status >= 400) expect(response.body.message, `case ${i}`).toEqual(expect.any(String));
      }
      const profile = await t.http.get(PROFILE).auth(user.email, user.token).expect(200);
      expect(profile.body).not.toHaveProperty('admin');
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('refuses a 20000×20000 PNG from its header and stays alive', async () => {
      const user = await activeUser();
      const small = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
        .png()
        .toBuffer();
      const bomb = Buffer.from(small);
      // IHDR width and height sit at bytes 16–23: declare 20000×20000 (400 Mpx) in a tiny file.
      bomb.writeUInt32BE(20000, 16);
      bomb.writeUInt32BE(20000, 20);
      const response = await t.http.post('/one_auth/api/images').auth(user.email, user.token).attach('file', bomb, 'bomb.png');
      expect([413, 415]).toContain(response.status);
      expect(response.body).toEqual({ message: expect.any(String) });
      await t.http.get('/one_auth/health/live').expect(200);
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    });

    it('sends the usual security headers and no framework banner', async () => {
      const response = await t.http.get('/one_auth/health/live').expect(200);
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      // Over plain http (a LAN host), an upgrade directive would send Swagger UI's files to https and blank the page.
      expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(response.headers['strict-transport-security']).toBeDefined();
    });
  });

  describe('mail outage', () => {
    it('answers 201 at once while SMTP is down, and delivers the mail once when it is back, under the Message-ID it was queued with', async () => {
      const email = uniqueEmail('outage');
      // First the server reads the message and fails to queue it (451 after DATA), then it is gone altogether.
      t.smtp.refuseAfterDataWith = 'mail system busy';
      const started = Date.now();
      await t.http.post(USER).send({ email }).expect(201);
      expect(Date.now() - started).toBeLessThan(1000);
      const refusedAttempts = () => t.smtp.refused.filter((mail) => mail.to.includes(email));
      while (refusedAttempts().length === 0 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
      const port = t.smtp.port;
      await t.smtp.stop();
      t.smtp.refuseAfterDataWith = null;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(t.smtp.mailsTo(email)).toHaveLength(0);
      await t.smtp.start(port);
      const code = await t.smtp.waitForCode(email, 1, 20_000);
      secrets.push(code);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const delivered = t.smtp.mailsTo(email);
      expect(delivered).toHaveLength(1);
      const attempts = refusedAttempts();
      console.info(
        `outage: Message-ID ${attempts.map((mail) => mail.messageId).join(', ')} refused, ` +
          `${delivered[0].messageId} delivered ${delivered[0].receivedAt - started} ms after the request`,
      );
      expect(attempts.length).toBeGreaterThan(0);
      for (const attempt of attempts) expect(attempt.messageId).toBe(delivered[0].messageId);
      // The id is the one fixed in the outbox row when the mail was queued.
      const [{ message_id: queuedAs }] = (await t.dataSource.query('SELECT message_id FROM mail_outbox WHERE recipient = ?', [email])) as {
        message_id: string;
      }[];
      expect(delivered[0].messageId).toBe(`<${queuedAs}@${MAIL_DOMAIN}>`);
      await t.http.put(CODE).send({ email, validation_code: code }).expect(200);
    }, 40_000);
  });

  it('never writes a password, code or token to the database or the logs', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const tables = ['users', 'validation_codes', 'access_tokens', 'mail_outbox', 'images', 'rate_events'];
    const dump = JSON.stringify(await Promise.all(tables.map((table) => t.dataSource.query(`SELECT * FROM ${table}`))));
    const files =
      t.dataSource.options.type === 'better-sqlite3' ? readdirSync(t.dataDir).filter((name) => name.startsWith('one_auth.sqlite')) : [];
    const raw = files.map((name) => readFileSync(join(t.dataDir, name)).toString('latin1')).join('');
    const logs = output.join('');
    expect(logs).toContain('delivered');
    for (const secret of secrets) {
      expect(dump.includes(secret), 'in a table').toBe(false);
      if (secret.length > 6) expect(raw.includes(secret), 'in the database file').toBe(false);
      expect(logs.includes(secret), 'in the logs').toBe(false);
    }
  });
});

describe('token lifetimes', () => {
  // One service at a time: passport keeps the password strategy (with the
  // settings of its app) in a process-wide registry, so two apps in one
  // process would log in through the last one's.
  it('refuses a token after TOKEN_TTL=3s although it is used meanwhile', async () => {
    const t = await startTestApp({ TOKEN_TTL: '3s' });
    try {
      const user = await createActiveUser(t);
      const issuedAt = Date.now();
      while (Date.now() - issuedAt < 2400) {
        await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + 3100 - Date.now())));
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
      const fresh = await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
      await t.http.get(VALIDATIONS).auth(user.email, fresh.body.access_token).expect(200);
    } finally {
      await t.close();
    }
  }, 20_000);

  it('refuses a token left idle past TOKEN_IDLE_TTL=2s, and keeps one in use', async () => {
    const t = await startTestApp({ TOKEN_IDLE_TTL: '2s' });
    try {
      const lazy = await createActiveUser(t);
      const busy = await createActiveUser(t);
      const started = Date.now();
      while (Date.now() - started < 3000) {
        await t.http.get(VALIDATIONS).auth(busy.email, busy.token).expect(200);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await t.http.get(VALIDATIONS).auth(lazy.email, lazy.token).expect(401);
      await t.http.get(VALIDATIONS).auth(busy.email, busy.token).expect(200);
    } finally {
      await t.close();
    }
  }, 20_000);
});

describe('client address without TRUST_PROXY', () => {
  it('ignores a rotating X-Forwarded-For: 100 failures per address, the 101st is 429', async () => {
    const t = await startTestApp({ LIMIT_LOGIN_FAILURES_PER_ADDRESS: '100/15m' });
    try {
      // Suites share 127.0.0.1 (and one database on MariaDB): start from an empty record.
      await t.dataSource.query('DELETE FROM rate_events');
      for (let i = 0; i < 100; i++) {
        await t.http.get(TOKENS).auth(uniqueEmail('spray'), 'guess-1234').set('X-Forwarded-For', `203.0.113.${i}`).expect(401);
      }
      const blocked = await t.http.get(TOKENS).auth(uniqueEmail('spray'), 'guess-1234').set('X-Forwarded-For', '203.0.113.200').expect(429);
      expect(blocked.headers['retry-after']).toBeDefined();
    } finally {
      await t.dataSource.query('DELETE FROM rate_events');
      await t.close();
    }
  }, 60_000);
});

describe('password hashing parameters', () => {
  it('upgrades a hash made with older parameters at the next login', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-rehash-'));
    const env = { DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${join(dataDir, 'one_auth.sqlite')}` };
    const first = await startTestApp({ ...env, ARGON2_TIME_COST: '2' });
    const user = await createActiveUser(first);
    const [before] = await first.dataSource.query('SELECT password_hash FROM users WHERE email = ?', [user.email]);
    await first.close();
    expect(before.password_hash).toContain('t=2');
    const second = await startTestApp({ ...env, ARGON2_TIME_COST: '3' });
    try {
      await second.http.get(TOKENS).auth(user.email, user.password).expect(200);
      const [after] = await second.dataSource.query('SELECT password_hash FROM users WHERE email = ?', [user.email]);
      expect(after.password_hash).toMatch(/^\$argon2id\$.*t=3/);
      await second.http.get(TOKENS).auth(user.email, user.password).expect(200);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
