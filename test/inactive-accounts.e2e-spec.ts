import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../src/housekeeping/housekeeping.service.js';
import { PASSWORD, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const VALIDATIONS = '/one_auth/api/validations';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * INACTIVE_ACCOUNT_TTL: an account never activated is removed by the sweep,
 * with its code and mail, that long after its last code; an account
 * activated meanwhile is never touched, whichever comes first.
 */
describe('accounts never activated', () => {
  let t: TestApp;
  const count = async (sql: string, params: unknown[]) => Number(((await t.dataSource.query(sql, params)) as { n: unknown }[])[0].n);
  const accountRows = (email: string) => count('SELECT COUNT(*) AS n FROM users WHERE email = ?', [email]);
  const codeRows = (email: string) =>
    count('SELECT COUNT(*) AS n FROM validation_codes c JOIN users u ON u.id = c.user_id WHERE u.email = ?', [email]);
  const mailRows = (email: string) => count('SELECT COUNT(*) AS n FROM mail_outbox WHERE recipient = ?', [email]);
  const sweep = () => t.app.get(HousekeepingService).runOnce();

  beforeAll(async () => {
    t = await startTestApp({ INACTIVE_ACCOUNT_TTL: '3s', ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('an account whose last code is within the time to live is kept', async () => {
    const email = uniqueEmail('recent');
    await t.http.post(USER).send({ email }).expect(201);
    await t.smtp.waitForCode(email);
    await sweep();
    expect(await accountRows(email)).toBe(1);
    expect(await codeRows(email)).toBe(1);
  });

  it('an account activated before the sweep is not touched', async () => {
    const email = uniqueEmail('activated');
    await t.http.post(USER).send({ email }).expect(201);
    const code = await t.smtp.waitForCode(email);
    await sleep(3100);
    const response = await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(200);
    await sweep();
    expect(await accountRows(email)).toBe(1);
    await t.http.get(VALIDATIONS).auth(email, response.body.access_token).expect(200);
  });

  it('one swept first is gone with its code and mail, cannot be activated after, and can register again', async () => {
    const email = uniqueEmail('swept');
    await t.http.post(USER).send({ email }).expect(201);
    const code = await t.smtp.waitForCode(email);
    await sleep(3100);
    expect((await sweep()).inactiveAccounts).toBeGreaterThanOrEqual(1);
    expect(await accountRows(email)).toBe(0);
    expect(await codeRows(email)).toBe(0);
    expect(await mailRows(email)).toBe(0);
    await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(422);
    expect(await accountRows(email)).toBe(0);
    await t.http.post(USER).send({ email }).expect(201);
    expect(await accountRows(email)).toBe(1);
  });

  it('activation and the sweep at once: each account is either active and whole, or gone with its code and mail', async () => {
    const emails = Array.from({ length: 30 }, () => uniqueEmail('race'));
    for (const email of emails) await t.http.post(USER).send({ email }).expect(201);
    const codes = await Promise.all(emails.map((email) => t.smtp.waitForCode(email)));
    await sleep(3100);
    // Activations spread over a few hundred milliseconds; sweeps start as the first one is answered.
    let activating = true;
    let firstAnswered: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstAnswered = resolve));
    const sweeps = (async () => {
      await first;
      // better-sqlite3 answers synchronously: yield to the timers between sweeps.
      while (activating) await Promise.all([sweep(), sleep(5)]);
    })();
    const responses = await Promise.all(
      emails.map(async (email, i) => {
        await sleep(i * 10);
        const response = await t.http.put(USER).send({ email, validation_code: codes[i], password: PASSWORD });
        firstAnswered();
        return response;
      }),
    );
    activating = false;
    await sweeps;
    let activated = 0;
    for (const [i, email] of emails.entries()) {
      const response = responses[i];
      if (response.status === 200) {
        activated++;
        expect(await accountRows(email)).toBe(1);
        await t.http.get(VALIDATIONS).auth(email, response.body.access_token).expect(200);
      } else {
        expect(response.status).toBe(422);
        expect(await accountRows(email)).toBe(0);
        expect(await codeRows(email)).toBe(0);
        expect(await mailRows(email)).toBe(0);
      }
    }
    console.log(`activation and sweep at once: ${activated} activated, ${emails.length - activated} removed`);
  });
});
