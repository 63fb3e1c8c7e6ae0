import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/auth/token-hash.js';
import { HousekeepingService, type SweepReport } from '../src/housekeeping/housekeeping.service.js';
import { bucketKey } from '../src/rate-limit/rate-limiter.service.js';
import { createActiveUser, PASSWORD, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const CODE = '/one_auth/api/validation_code';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const PROFILE = '/one_auth/api/user/profile';
const UPLOAD = '/one_auth/api/images';

/** Every window of the sweep, short: what is older than this is done with. */
const WINDOW_S = 4;
const TOKEN_TTL_S = WINDOW_S * 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * The sweep through a real service and database: each kind of row that has
 * served its purpose, and orphan images with their bytes, is pruned; nothing
 * still in use is touched. Windows are seconds long; one timeline sets up old
 * rows, waits them out, adds fresh ones, then sweeps once.
 */
describe('housekeeping sweep', () => {
  let t: TestApp;
  let report: SweepReport;
  const rows = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params) as Promise<Record<string, unknown>[]>;
  const count = async (sql: string, params: unknown[] = []) => Number((await rows(sql, params))[0].n);
  const userId = async (email: string) => (await rows('SELECT id FROM users WHERE email = ?', [email]))[0]?.id as number | undefined;
  const tokenExists = async (token: string) =>
    (await count('SELECT COUNT(*) AS n FROM access_tokens WHERE token_hash = ?', [hashToken(token)])) === 1;
  const codeExists = async (email: string) =>
    (await count('SELECT COUNT(*) AS n FROM validation_codes c JOIN users u ON u.id = c.user_id WHERE u.email = ?', [email])) === 1;
  const mailRows = (email: string) => rows('SELECT status FROM mail_outbox WHERE recipient = ? ORDER BY id', [email]);
  const imagePath = (url: string) => join(t.dataDir, 'images', new URL(url).pathname.split('/').pop()!);
  const login = async (email: string) => (await t.http.get(TOKENS).auth(email, PASSWORD).expect(200)).body.access_token as string;
  const upload = async (email: string, token: string) => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#08f' } })
      .png()
      .toBuffer();
    return (await t.http.post(UPLOAD).auth(email, token).attach('file', png, 'a.png').expect(201)).body.url as string;
  };
  const eventsIn = (bucket: string) => count('SELECT COUNT(*) AS n FROM rate_events WHERE bucket = ?', [bucketKey(bucket)]);
  const bucketRows = (bucket: string) => count('SELECT COUNT(*) AS n FROM rate_buckets WHERE bucket = ?', [bucketKey(bucket)]);

  // Old: set up at the start, past every window by the time of the sweep.
  const owner = { email: uniqueEmail('hk-owner'), password: PASSWORD, token: '' };
  const other = { email: uniqueEmail('hk-other'), password: PASSWORD, token: '' };
  const codeHolder = { email: uniqueEmail('hk-code'), password: PASSWORD, token: '' };
  const neverActivated = uniqueEmail('hk-inactive');
  const abandoned = uniqueEmail('hk-abandoned');
  let idleToken = '';
  let orphanImage = '';
  let avatarImage = '';
  let foreignAvatarImage = '';
  // Fresh: made just before the sweep, within every window.
  const freshInactive = uniqueEmail('hk-fresh');
  let liveToken = '';
  let newToken = '';
  let freshImage = '';

  const window = `${WINDOW_S}s`;
  const env = {
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    CODE_TTL: window,
    TOKEN_TTL: `${TOKEN_TTL_S}s`,
    TOKEN_IDLE_TTL: window,
    INACTIVE_ACCOUNT_TTL: window,
    HOUSEKEEPING_IMAGE_GRACE: window,
    HOUSEKEEPING_FAILED_MAIL_TTL: window,
    HOUSEKEEPING_WEBHOOK_TTL: window,
    CODE_RESEND_INTERVAL: '1s',
    LIMIT_CODE_MAILS_PER_EMAIL: `5/${window}`,
    LIMIT_CODE_MAILS_PER_ADDRESS: `100000/${window}`,
    LIMIT_CODE_FAILURES_PER_ACCOUNT: `20/${window}`,
    LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: `10/${window}`,
    LIMIT_LOGIN_FAILURES_PER_ACCOUNT: `100/${window}`,
    LIMIT_LOGIN_FAILURES_PER_ADDRESS: `100000/${window}`,
  };

  beforeAll(async () => {
    t = await startTestApp(env);

    // The account whose first token (the activation's) is kept in use until it expires outright.
    for (const user of [owner, other, codeHolder]) user.token = (await createActiveUser(t, user.email)).token;
    // The owner's first token stays busy (never idle) until its absolute lifetime ends, however slow the setup.
    const keepBusy = setInterval(
      () =>
        void t.http
          .get(VALIDATIONS)
          .auth(owner.email, owner.token)
          .then(() => undefined),
      500,
    );
    idleToken = await login(owner.email);
    orphanImage = await upload(owner.email, owner.token);
    avatarImage = await upload(owner.email, owner.token);
    foreignAvatarImage = await upload(owner.email, owner.token);
    await t.http.put(PROFILE).auth(owner.email, owner.token).send({ avatar: avatarImage }).expect(200);
    // Another account's profile points to the owner's image: that keeps it too.
    await t.http.put(PROFILE).auth(other.email, other.token).send({ avatar: foreignAvatarImage }).expect(200);
    // A code left to expire, and one killed by five wrong guesses.
    await sleep(1100); // CODE_RESEND_INTERVAL since the activation codes
    await t.http.post(CODE).send({ email: owner.email }).expect(202);
    await waitFor('the owner’s code', () => codeExists(owner.email));
    await t.http.post(CODE).send({ email: other.email }).expect(202);
    await waitFor('the other’s code', () => codeExists(other.email));
    for (let i = 0; i < 5; i++) await t.http.put(CODE).send({ email: other.email, validation_code: '000000' }).expect(422);
    // Failed logins: rate-limit events.
    for (let i = 0; i < 2; i++) await t.http.get(TOKENS).auth(owner.email, 'wrong password!').expect(401);
    await t.http.post(USER).send({ email: neverActivated }).expect(201);
    await waitFor(
      'mail delivered',
      async () =>
        (await mailRows(neverActivated))[0]?.status === 'sent' && (await mailRows(owner.email)).every((mail) => mail.status === 'sent'),
    );
    // A message that could not be delivered (gave up after its retries).
    await t.dataSource.query("UPDATE mail_outbox SET status = 'failed' WHERE recipient = ?", [other.email]);

    const oldRowsMade = Date.now();
    // A token that will be in use at the sweep.
    liveToken = await login(owner.email);
    const [{ expires_at: expiresAt }] = await rows('SELECT expires_at FROM access_tokens WHERE token_hash = ?', [hashToken(owner.token)]);
    while (Date.now() < Math.max(Number(expiresAt), oldRowsMade + WINDOW_S * 1000) + 300) {
      await t.http.get(VALIDATIONS).auth(owner.email, liveToken).expect(200);
      await sleep(500);
    }
    clearInterval(keepBusy);

    // Fresh rows, in use or within their window.
    await t.http.get(VALIDATIONS).auth(owner.email, liveToken).expect(200);
    newToken = await login(owner.email);
    freshImage = await upload(owner.email, newToken);
    await t.http.get(TOKENS).auth(other.email, 'wrong password!').expect(401);
    await t.http.post(CODE).send({ email: codeHolder.email }).expect(202);
    await waitFor('a live code', () => codeExists(codeHolder.email));
    // Mail that cannot be delivered yet: it stays queued, with its account.
    t.smtp.refuseWith = 'mail system busy';
    await t.http.post(USER).send({ email: freshInactive }).expect(201);
    // Expired outright, and idle too long: no longer accepted, rows still there.
    await t.http.get(VALIDATIONS).auth(owner.email, owner.token).expect(401);
    await t.http.get(VALIDATIONS).auth(owner.email, idleToken).expect(401);
    expect(await tokenExists(owner.token)).toBe(true);
    expect(await tokenExists(idleToken)).toBe(true);

    // Webhook deliveries done with (delivered, given up) or not, queued before the window or within it.
    const queuedLongAgo = Date.now() - 3 * WINDOW_S * 1000;
    const ownerId = await userId(owner.email);
    const deliveries: [string, string, number][] = [
      ['msg_delivered_old', 'delivered', queuedLongAgo],
      ['msg_failed_old', 'failed', queuedLongAgo],
      ['msg_pending_old', 'pending', queuedLongAgo],
      ['msg_delivered_new', 'delivered', Date.now()],
    ];
    for (const [messageId, status, createdAt] of deliveries) {
      await t.dataSource.query(
        `INSERT INTO webhook_deliveries (message_id, endpoint, user_id, event_type, payload, status, attempts, next_attempt_at, created_at)
          VALUES (?, 'https://hooks.example/x', ?, 'user.activated', '', ?, 1, ?, ?)`,
        [messageId, ownerId, status, Date.now() + 3_600_000, createdAt],
      );
    }

    // A bucket nothing has touched for an hour, past every window and every pending place.
    await t.dataSource.query('INSERT INTO rate_buckets (bucket, generation, touched_at) VALUES (?, 1, ?)', [
      bucketKey(`code:account:${abandoned}`),
      Date.now() - 3_600_000,
    ]);

    // A passkey challenge given and never answered, past its 5 minutes.
    await t.dataSource.query(
      "INSERT INTO passkey_challenges (challenge_hash, purpose, user_id, expires_at) VALUES (?, 'authentication', NULL, ?)",
      ['0'.repeat(64), Date.now() - 1],
    );

    report = await t.app.get(HousekeepingService).runOnce();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('reports something pruned of every kind', () => {
    const kinds = [
      'inactiveAccounts',
      'tokens',
      'codes',
      'sentMail',
      'failedMail',
      'finishedWebhooks',
      'rateEvents',
      'images',
      'passkeyChallenges',
    ];
    for (const kind of kinds) {
      expect(report[kind], kind).toBeGreaterThan(0);
    }
  });

  it('removes an account never activated, with its code and mail, and keeps a fresh one with its queued mail', async () => {
    expect(await userId(neverActivated)).toBeUndefined();
    expect(await mailRows(neverActivated)).toEqual([]);
    expect(await userId(freshInactive)).toBeDefined();
    expect(await codeExists(freshInactive)).toBe(true);
    expect(await mailRows(freshInactive)).toEqual([{ status: 'pending' }]);
    // The address can register again.
    t.smtp.refuseWith = null;
    await t.http.post(USER).send({ email: neverActivated }).expect(201);
  });

  it('prunes tokens expired outright or idle too long, keeps the ones in use', async () => {
    expect(await tokenExists(owner.token)).toBe(false);
    expect(await tokenExists(idleToken)).toBe(false);
    // The token in use since before the windows was live at the sweep and kept; its absolute lifetime may
    // run out while later steps run on a busy machine, so its row is what tells.
    expect(await tokenExists(liveToken)).toBe(true);
    await t.http.get(VALIDATIONS).auth(owner.email, newToken).expect(200);
  });

  it('prunes expired and exhausted codes, keeps a live one', async () => {
    expect(await codeExists(owner.email)).toBe(false);
    expect(await codeExists(other.email)).toBe(false);
    expect(await codeExists(codeHolder.email)).toBe(true);
  });

  it('prunes sent mail past the mail window and failed mail past its time; the accounts stay', async () => {
    expect(await mailRows(owner.email)).toEqual([]);
    expect(await mailRows(other.email)).toEqual([]);
    // The live code's mail is within the window: the per-address limit still counts it.
    expect((await mailRows(codeHolder.email)).length).toBeGreaterThanOrEqual(1);
    for (const email of [owner.email, other.email]) expect(await userId(email)).toBeDefined();
  });

  it('prunes webhook deliveries delivered or given up past their time; keeps pending and recent ones', async () => {
    const left = await rows('SELECT message_id FROM webhook_deliveries WHERE user_id = ? ORDER BY id', [await userId(owner.email)]);
    expect(left.map((row) => row.message_id)).toEqual(['msg_pending_old', 'msg_delivered_new']);
  });

  it('prunes rate-limit events outside every window, keeps those inside', async () => {
    expect(await eventsIn(`login:account:${owner.email}`)).toBe(0);
    expect(await eventsIn(`code:account:${other.email}`)).toBe(0);
    expect(await eventsIn(`login:account:${other.email}`)).toBe(1);
  });

  it('prunes rate-limit buckets untouched for longer than every window, keeps those in use', async () => {
    expect(report.rateBuckets).toBeGreaterThan(0);
    expect(await bucketRows(`code:account:${abandoned}`)).toBe(0);
    // Five wrong codes at the start, none since.
    expect(await bucketRows(`code:account:${other.email}`)).toBe(0);
    // A failed login just before the sweep.
    expect(await bucketRows(`login:account:${other.email}`)).toBe(1);
  });

  it('removes an image no profile points to, row and bytes; keeps avatars and images in their grace period', async () => {
    await t.http.get(new URL(orphanImage).pathname).expect(404);
    expect(existsSync(imagePath(orphanImage))).toBe(false);
    for (const url of [avatarImage, foreignAvatarImage, freshImage]) {
      await t.http.get(new URL(url).pathname).expect(200);
      expect(existsSync(imagePath(url))).toBe(true);
    }
    expect(await count('SELECT COUNT(*) AS n FROM images WHERE user_id = ?', [await userId(owner.email)])).toBe(3);
  });
});
