import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForMail } from './helpers/mail-text.js';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const PROFILE = '/one_auth/api/user/profile';
const UPLOAD = '/one_auth/api/images';
const EMAIL_CHANGE = '/one_auth/api/user/email';
const EXPORT = '/one_auth/api/user/export';
const BAD_PASSWORD = { message: 'Email or password is not correct' };
const BAD_TOKEN = { message: 'Email or token is not correct' };
const CHALLENGE = 'Basic realm="one_auth", charset="UTF-8"';

let addressCounter = 0;
const newAddress = () => `10.8.${(++addressCounter >> 8) & 255}.${addressCounter & 255}`;

/** A PNG of random pixels: its bytes occur nowhere else. */
async function noiseImage(): Promise<Buffer> {
  return sharp(randomBytes(48 * 48 * 3), { raw: { width: 48, height: 48, channels: 3 } })
    .png()
    .toBuffer();
}

describe('account deletion and export (endpoints 20, 21)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true', LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '3/15m' });
  });
  afterAll(async () => {
    await t.close();
  });

  /** An account with a profile, an avatar image, two sessions, events and an email change under way. */
  async function richAccount() {
    const user = await createActiveUser(t);
    const names = { first_name: `Zebediah${randomBytes(4).toString('hex')}`, last_name: `Quuxworth${randomBytes(4).toString('hex')}` };
    const upload = await t.http
      .post(UPLOAD)
      .auth(user.email, user.token)
      .attach('file', await noiseImage(), 'me.png')
      .expect(201);
    const url = upload.body.url as string;
    const stored = (await t.http.get(new URL(url).pathname).buffer(true).expect(200)).body as Buffer;
    await t.http
      .put(PROFILE)
      .auth(user.email, user.token)
      .send({ ...names, country: 'Narnia', department: 'Wardrobes', avatar: url })
      .expect(200);
    const second = (await t.http.get(TOKENS).auth(user.email, user.password).set('User-Agent', 'Second/1.0').expect(200)).body
      .access_token as string;
    const pendingEmail = uniqueEmail('pending-change');
    await t.http.post(EMAIL_CHANGE).auth(user.email, user.token).send({ new_email: pendingEmail, password: user.password }).expect(202);
    await t.smtp.waitForCode(pendingEmail);
    return { ...user, names, url, imageName: new URL(url).pathname.split('/').pop()!, stored, second, pendingEmail };
  }

  async function tableNames(): Promise<string[]> {
    if (t.dataSource.options.type === 'better-sqlite3') {
      const rows = (await t.dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table'")) as { name: string }[];
      return rows.map((row) => row.name);
    }
    const rows = (await t.dataSource.query('SHOW TABLES')) as Record<string, string>[];
    return rows.map((row) => Object.values(row)[0]);
  }

  async function dumpTables(): Promise<string> {
    const dump: Record<string, unknown> = {};
    for (const table of await tableNames()) dump[table] = await t.dataSource.query(`SELECT * FROM ${table}`);
    return JSON.stringify(dump);
  }

  /** The SQLite file, its WAL and shared memory, and every stored image: what an attacker with the disk would read. */
  function diskFiles(): { name: string; bytes: Buffer }[] {
    const files: { name: string; bytes: Buffer }[] = [];
    if (t.dataSource.options.type === 'better-sqlite3') {
      for (const name of readdirSync(t.dataDir).filter((entry) => entry.startsWith('one_auth.sqlite'))) {
        files.push({ name, bytes: readFileSync(join(t.dataDir, name)) });
      }
    }
    const images = join(t.dataDir, 'images');
    if (existsSync(images)) {
      for (const name of readdirSync(images)) files.push({ name: `images/${name}`, bytes: readFileSync(join(images, name)) });
    }
    return files;
  }

  describe('DELETE /user', () => {
    it('erases the account and everything keyed to it; a last mail confirms; the address can register again', async () => {
      const user = await richAccount();
      const bystander = await createActiveUser(t);
      const response = await t.http
        .delete(USER)
        .auth(user.email, user.password)
        .set('User-Agent', 'Deleter/1.0')
        .set('X-Forwarded-For', '198.51.100.99')
        .expect(200);
      expect(response.body).toEqual({ message: 'Account deleted' });
      // Its tokens are refused at once, the password no longer logs in, the image is gone.
      for (const token of [user.token, user.second]) {
        expect((await t.http.get(VALIDATIONS).auth(user.email, token).expect(401)).body).toEqual(BAD_TOKEN);
        await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${token}`).expect(401);
      }
      await t.http.get(TOKENS).auth(user.email, user.password).expect(401);
      await t.http.get(new URL(user.url).pathname).expect(404);
      expect(existsSync(join(t.dataDir, 'images', user.imageName))).toBe(false);
      const goodbye = await waitForMail(t.smtp, user.email, /account was deleted/);
      expect(goodbye).toContain(`Your one_auth account ${user.email} was deleted`);
      expect(goodbye).toContain('From: 198.51.100.99 ("Deleter/1.0")');
      expect(goodbye).toContain('If it was not you');
      expect(goodbye).not.toContain(user.password);
      // Someone else's account is untouched.
      await t.http.get(VALIDATIONS).auth(bystander.email, bystander.token).expect(200);
      // The address registers again, as a new account.
      const again = await t.http.post(USER).send({ email: user.email }).expect(201);
      expect(again.body).toEqual({ email: user.email, status: 'deactived' });
    });

    it('leaves nothing of the account in any table, the SQLite file, its WAL or the image storage once the goodbye has gone', async () => {
      const user = await richAccount();
      const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [user.email]);
      await t.http.delete(USER).auth(user.email, user.password).expect(200);
      await waitForMail(t.smtp, user.email, /account was deleted/);
      // The worker marks the goodbye sent (and empties it) right after the server accepted it.
      for (let i = 0; i < 100; i++) {
        const [{ pending }] = await t.dataSource.query("SELECT COUNT(*) AS pending FROM mail_outbox WHERE status = 'pending'");
        if (Number(pending) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const dump = await dumpTables();
      const secrets = [user.email, user.names.first_name, user.names.last_name, user.pendingEmail, user.imageName];
      for (const value of secrets) expect(dump.includes(value), `${value} in a table`).toBe(false);
      for (const table of ['access_tokens', 'validation_codes', 'images', 'security_events', 'user_profiles']) {
        const [{ count }] = await t.dataSource.query(`SELECT COUNT(*) AS count FROM ${table} WHERE user_id = ?`, [id]);
        expect(Number(count), table).toBe(0);
      }
      const imageSlice = user.stored.subarray(Math.floor(user.stored.length / 2), Math.floor(user.stored.length / 2) + 32);
      for (const file of diskFiles()) {
        const text = file.bytes.toString('latin1');
        for (const value of secrets.slice(0, 4)) expect(text.includes(value), `${value} in ${file.name}`).toBe(false);
        expect(file.bytes.includes(imageSlice), `image bytes in ${file.name}`).toBe(false);
      }
      if (t.dataSource.options.type === 'better-sqlite3') expect(diskFiles().some((file) => file.name === 'one_auth.sqlite')).toBe(true);
    });

    it('answers 401 like login for a wrong password, a token, or no credentials, and deletes nothing', async () => {
      const user = await createActiveUser(t);
      const calls = [
        t.http.delete(USER).auth(user.email, 'not the password').set('X-Forwarded-For', newAddress()),
        t.http.delete(USER).auth(user.email, user.token).set('X-Forwarded-For', newAddress()),
        t.http.delete(USER).set('Authorization', `Bearer ${user.token}`),
        t.http.delete(USER).auth(uniqueEmail('nobody'), user.password),
        t.http.delete(USER),
      ];
      for (const call of calls) {
        const response = await call.expect(401);
        expect(response.body).toEqual(BAD_PASSWORD);
        expect(response.headers['www-authenticate']).toBe(CHALLENGE);
      }
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    });

    it('counts wrong passwords as failed logins: past the limit, 429 even with the right one', async () => {
      const user = await createActiveUser(t);
      const address = newAddress();
      for (let i = 0; i < 3; i++) await t.http.delete(USER).auth(user.email, `wrong-${i}`).set('X-Forwarded-For', address).expect(401);
      const blocked = await t.http.delete(USER).auth(user.email, user.password).set('X-Forwarded-For', address).expect(429);
      expect(blocked.body).toEqual({ message: 'Too many failed logins, please retry later' });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', address).expect(429);
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    });
  });

  describe('GET /user/export', () => {
    it('answers everything held about the caller as an attachment, and no secret', async () => {
      const user = await richAccount();
      const response = await t.http.get(EXPORT).auth(user.email, user.token).set('X-Forwarded-For', '198.51.100.50').expect(200);
      expect(response.headers['content-disposition']).toBe('attachment; filename="one_auth-export.json"');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = response.body;
      expect(Object.keys(body)).toEqual([
        'exported_at',
        'account',
        'profile',
        'sessions',
        'images',
        'pending_email_change',
        'second_factor',
        'passkeys',
        'identities',
        'events',
        'apps',
      ]);
      expect(body.apps).toEqual([]);
      expect(body.second_factor).toEqual({ totp: null, recovery_codes_left: 0 });
      expect(body.identities).toEqual([]);
      expect(body.account).toEqual({ email: user.email, status: 'active', created_at: expect.any(String), updated_at: expect.any(String) });
      expect(body.profile).toEqual({ ...user.names, country: 'Narnia', department: 'Wardrobes', avatar: user.url });
      expect(body.sessions).toHaveLength(2);
      expect(body.sessions.map((session: { current: boolean }) => session.current)).toEqual([false, true]);
      expect(body.sessions[0].user_agent).toBe('Second/1.0');
      expect(body.images).toEqual([
        { url: user.url, content_type: 'image/png', bytes: user.stored.length, created_at: expect.any(String) },
      ]);
      expect(body.pending_email_change).toEqual({ new_email: user.pendingEmail, expires_at: expect.any(String) });
      expect(body.events[0]).toEqual({
        type: 'export',
        at: expect.any(String),
        client_address: '198.51.100.50',
        user_agent: expect.any(String),
      });
      expect(body.events.map((event: { type: string }) => event.type)).toEqual(['export', 'sign_in', 'password_set']);
      const text = JSON.stringify(body);
      const [stored] = (await t.dataSource.query(
        'SELECT u.password_hash, c.code_hash FROM users u LEFT JOIN validation_codes c ON c.user_id = u.id WHERE u.email = ?',
        [user.email],
      )) as { password_hash: string; code_hash: string }[];
      const tokenHashes = [user.token, user.second].map((token) => createHash('sha256').update(token).digest('hex'));
      for (const secret of [user.token, user.second, user.password, stored.password_hash, stored.code_hash, ...tokenHashes]) {
        expect(text.includes(secret)).toBe(false);
      }
      expect(text).not.toContain('argon2');
    });

    it("shows only the caller's data, and needs a token", async () => {
      const alice = await richAccount();
      const bob = await richAccount();
      const text = JSON.stringify((await t.http.get(EXPORT).auth(alice.email, alice.token).expect(200)).body);
      for (const value of [bob.email, bob.names.first_name, bob.imageName, bob.pendingEmail]) expect(text.includes(value)).toBe(false);
      expect((await t.http.get(EXPORT).auth(bob.email, alice.token).expect(401)).body).toEqual(BAD_TOKEN);
      expect((await t.http.get(EXPORT).auth(alice.email, alice.password).expect(401)).body).toEqual(BAD_TOKEN);
      expect((await t.http.get(EXPORT).expect(401)).body).toEqual(BAD_TOKEN);
    });
  });
});
