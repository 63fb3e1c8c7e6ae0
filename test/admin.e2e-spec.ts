import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../src/housekeeping/housekeeping.service.js';
import { waitForMail } from './helpers/mail-text.js';
import { createKey, keysCommand, uniqueKeyName } from './helpers/api-keys.js';
import { createActiveUser, forgetLastCodeTime, PASSWORD, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const ADMIN = '/one_auth/admin/api';
const USERS = `${ADMIN}/users`;
const AUDIT = `${ADMIN}/audit`;
const USER = '/one_auth/api/user';
const CODE = '/one_auth/api/validation_code';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const BAD_KEY = { message: 'API key is not correct' };
const NOT_ALLOWED = { message: 'Not allowed' };
const NOT_FOUND = { message: 'User not found' };
const BAD_PASSWORD = { message: 'Email or password is not correct' };
const BAD_TOKEN = { message: 'Email or token is not correct' };

// Random per run: on a shared MariaDB the limit events of an earlier run stay in their window.
let addressCounter = Math.floor(Math.random() * 60_000);
/** A client address of its own (the app trusts X-Forwarded-For): per-address limits start empty. */
const newAddress = () => `10.7.${(++addressCounter >> 8) & 255}.${addressCounter & 255}`;

interface AuditEntry {
  id: number;
  at: string;
  key_name: string;
  action: string;
  user_id: number | null;
  email: string;
  client_address: string;
  provider: string | null;
}

describe('the admin API (endpoints 32–39) and its keys', () => {
  let t: TestApp;
  let reader: { name: string; key: string };
  let writer: { name: string; key: string };
  let introspector: { name: string; key: string };

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true', LIMIT_LOGIN_FAILURES_PER_ADDRESS: '3/15m' });
    reader = await createKey(t.app, 'users:read');
    writer = await createKey(t.app, 'users:read,users:write', uniqueKeyName('writer'));
    introspector = await createKey(t.app, 'introspect');
  });
  afterAll(async () => {
    await t.close();
  });

  const bearer = (key: string) => `Bearer ${key}`;
  const idOf = async (email: string): Promise<number> => {
    const response = await t.http.get(USERS).query({ email }).set('Authorization', bearer(reader.key)).expect(200);
    const found = (response.body.users as { id: number; email: string }[]).find((user) => user.email === email);
    if (!found) throw new Error(`${email} not listed`);
    return found.id;
  };
  /** The newest audit entries, newest first. */
  const latestAudit = async (limit = 5): Promise<AuditEntry[]> =>
    (await t.http.get(AUDIT).query({ limit }).set('Authorization', bearer(reader.key)).expect(200)).body.entries;
  const login = (email: string, password = PASSWORD) => t.http.get(TOKENS).auth(email, password).set('X-Forwarded-For', newAddress());

  describe('keys and the guard', () => {
    it('refuses a missing, malformed, unknown or revoked key with 401 and a Bearer challenge', async () => {
      const revoked = await createKey(t.app, 'users:read');
      expect((await keysCommand(t.app, ['revoke', revoked.name])).status).toBe(0);
      for (const authorization of [undefined, 'Bearer', `Bearer oak_${'x'.repeat(43)}`, bearer(revoked.key), `Basic ${reader.key}`]) {
        const request = t.http.get(USERS).set('X-Forwarded-For', newAddress());
        if (authorization) request.set('Authorization', authorization);
        const response = await request.expect(401);
        expect(response.body).toEqual(BAD_KEY);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="one_auth"');
      }
    });

    it('answers 403 Not allowed to a key without the scope, and lets the right one in', async () => {
      await t.http.get(USERS).set('Authorization', bearer(introspector.key)).expect(403, NOT_ALLOWED);
      await t.http.get(AUDIT).set('Authorization', bearer(introspector.key)).expect(403, NOT_ALLOWED);
      const someone = await createActiveUser(t);
      const id = await idOf(someone.email);
      for (const [method, path] of [
        ['put', `${USERS}/${id}/status`],
        ['delete', `${USERS}/${id}/sessions`],
        ['delete', `${USERS}/${id}/second_factor`],
        ['post', `${USERS}/${id}/password_reset`],
        ['delete', `${USERS}/${id}`],
      ] as const) {
        await t.http[method](path).set('Authorization', bearer(reader.key)).send({ status: 'disabled' }).expect(403, NOT_ALLOWED);
      }
      // Nothing happened to the account.
      await t.http.get(VALIDATIONS).auth(someone.email, someone.token).expect(200);
      await t.http.get(USERS).set('Authorization', bearer(reader.key)).expect(200);
    });

    it('counts failed key checks toward the per-address login limit: 429 with Retry-After past it, a good key still served', async () => {
      const address = newAddress();
      for (let i = 0; i < 3; i++) {
        await t.http.get(USERS).set('X-Forwarded-For', address).set('Authorization', 'Bearer oak_wrong').expect(401);
      }
      const limited = await t.http.get(USERS).set('X-Forwarded-For', address).set('Authorization', 'Bearer oak_wrong').expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The same limit as logins from that address.
      const someone = await createActiveUser(t);
      await t.http.get(TOKENS).auth(someone.email, 'not the password').set('X-Forwarded-For', address).expect(429);
      await t.http.get(USERS).set('X-Forwarded-For', address).set('Authorization', bearer(reader.key)).expect(200);
    });

    it('lists keys with their scopes and revocation through the CLI, never the key; names stay taken', async () => {
      const listed = await keysCommand(t.app, ['list']);
      expect(listed.status).toBe(0);
      expect(listed.out[0].split('\t')).toEqual(['name', 'scopes', 'created_at', 'last_used_at', 'revoked_at']);
      const row = listed.out.find((line) => line.startsWith(`${writer.name}\t`));
      expect(row?.split('\t').slice(0, 2)).toEqual([writer.name, 'users:read,users:write']);
      expect(listed.out.join('\n')).not.toContain(writer.key);
      expect((await keysCommand(t.app, ['create', writer.name, '--scopes', 'users:read'])).status).toBe(1);
      expect((await keysCommand(t.app, ['create', uniqueKeyName(), '--scopes', 'users:delete'])).status).toBe(2);
      expect((await keysCommand(t.app, ['create', 'bad:name', '--scopes', 'users:read'])).status).toBe(1);
      expect((await keysCommand(t.app, ['revoke', uniqueKeyName('nobody')])).status).toBe(1);
      expect((await keysCommand(t.app, ['rotate'])).status).toBe(2);
      // Only its hash is stored.
      const stored = (await t.dataSource.query('SELECT key_hash FROM api_keys WHERE name = ?', [writer.name])) as { key_hash: string }[];
      expect(stored[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(await t.dataSource.query('SELECT * FROM api_keys'))).not.toContain(writer.key);
    });
  });

  describe('GET /users (32) and GET /users/{id} (33)', () => {
    it('lists accounts by email prefix, in a stable order, paged by cursor; a page is not shaken by inserts and deletes', async () => {
      const prefix = `pager-${Date.now().toString(36)}-`;
      const emails: string[] = [];
      for (let i = 0; i < 5; i++) emails.push((await createActiveUser(t, `${prefix}${i}@example.com`)).email);
      const page = async (cursor?: string) => {
        const response = await t.http
          .get(USERS)
          .query({ email: prefix.toUpperCase(), limit: 2, ...(cursor ? { cursor } : {}) })
          .set('Authorization', bearer(reader.key))
          .expect(200);
        expect(response.headers['cache-control']).toBe('no-store');
        return response.body as { users: { id: number; email: string; status: string }[]; next_cursor: string | null };
      };
      const first = await page();
      expect(first.users.map((user) => user.email)).toEqual(emails.slice(0, 2));
      expect(first.users[0]).toEqual({
        id: expect.any(Number),
        email: emails[0],
        status: 'active',
        created_at: expect.stringMatching(/Z$/),
        last_sign_in_at: expect.stringMatching(/Z$/),
        two_step: false,
        passkeys: 0,
      });
      // Meanwhile: one already seen and one not yet seen are erased, and a new account arrives.
      const seen = first.users[0].id;
      const unseen = await idOf(emails[3]);
      await t.http.delete(`${USERS}/${seen}`).set('Authorization', bearer(writer.key)).expect(200);
      await t.http.delete(`${USERS}/${unseen}`).set('Authorization', bearer(writer.key)).expect(200);
      const late = (await createActiveUser(t, `${prefix}late@example.com`)).email;
      const rest: string[] = [];
      let cursor = first.next_cursor;
      while (cursor) {
        const next = await page(cursor);
        rest.push(...next.users.map((user) => user.email));
        cursor = next.next_cursor;
      }
      expect(rest).toEqual([emails[2], emails[4], late]);
    });

    it('filters by status and refuses a cursor it did not make, a limit outside 1–100 and an unknown status', async () => {
      const response = await t.http
        .get(USERS)
        .query({ status: 'disabled', limit: 100 })
        .set('Authorization', bearer(reader.key))
        .expect(200);
      for (const user of response.body.users as { status: string }[]) expect(user.status).toBe('disabled');
      const forged = Buffer.from('id:abc').toString('base64url');
      for (const [query, field] of [
        [{ cursor: 'not a cursor' }, 'cursor'],
        [{ cursor: forged }, 'cursor'],
        [{ limit: 0 }, 'limit'],
        [{ limit: 101 }, 'limit'],
        [{ limit: 'ten' }, 'limit'],
        [{ status: 'gone' }, 'status'],
      ] as const) {
        const refused = await t.http.get(USERS).query(query).set('Authorization', bearer(reader.key)).expect(400);
        expect(refused.body.errors[0].field).toBe(field);
      }
    });

    it('shows one account: profile, sessions without `current`, factors, the last 20 security events; 404 for no such id', async () => {
      const user = await createActiveUser(t);
      await t.http.put('/one_auth/api/user/profile').auth(user.email, user.token).send({ first_name: 'Ada', country: 'UK' }).expect(200);
      await login(user.email).expect(200);
      const id = await idOf(user.email);
      const response = await t.http.get(`${USERS}/${id}`).set('Authorization', bearer(reader.key)).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toMatchObject({
        id,
        email: user.email,
        status: 'active',
        two_step: false,
        passkeys: 0,
        profile: { first_name: 'Ada', last_name: '', country: 'UK', department: '', avatar: '' },
        factors: { totp: false, passkeys: 0 },
      });
      expect(response.body.sessions).toHaveLength(2);
      for (const session of response.body.sessions)
        expect(Object.keys(session).sort()).toEqual(['client_address', 'created_at', 'expires_at', 'id', 'last_used_at', 'user_agent']);
      expect((response.body.events as { type: string }[]).map((event) => event.type)).toEqual(['sign_in', 'password_set']);
      for (const missing of ['999999999', 'abc', '0', '-1', '1.5']) {
        await t.http.get(`${USERS}/${missing}`).set('Authorization', bearer(reader.key)).expect(404, NOT_FOUND);
      }
    });
  });

  describe('PUT /users/{id}/status (34)', () => {
    it('disables: every session out, logins refused as a wrong password, no code or reset gets around it; audited', async () => {
      const user = await createActiveUser(t);
      // A code from before the disable, to try a reset with afterwards.
      await forgetLastCodeTime(t, user.email);
      await t.http.post(CODE).send({ email: user.email }).expect(202);
      const code = await t.smtp.waitForCode(user.email, 2);
      const id = await idOf(user.email);
      const address = newAddress();
      const response = await t.http
        .put(`${USERS}/${id}/status`)
        .set('Authorization', bearer(writer.key))
        .set('X-Forwarded-For', address)
        .send({ status: 'disabled' })
        .expect(200);
      expect(response.body).toMatchObject({ id, email: user.email, status: 'disabled', sessions: [] });
      expect(await latestAudit(1)).toEqual([
        {
          id: expect.any(Number),
          at: expect.stringMatching(/Z$/),
          key_name: writer.name,
          action: 'user.disabled',
          user_id: id,
          email: user.email,
          client_address: address,
          provider: null,
        },
      ]);

      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401, BAD_TOKEN);
      const refused = await login(user.email).expect(401);
      expect(refused.body).toEqual(BAD_PASSWORD);
      expect(refused.body).toEqual((await login(user.email, 'a wrong password').expect(401)).body);
      await t.http.delete(USER).auth(user.email, user.password).set('X-Forwarded-For', newAddress()).expect(401, BAD_PASSWORD);
      // Registration, codes and resets treat it as taken and never reactivate it.
      await t.http.post(USER).send({ email: user.email }).expect(422, { message: 'Email already used' });
      await t.http.put(CODE).send({ email: user.email, validation_code: code }).expect(422, { message: 'Invalid code' });
      await t.http
        .put(USER)
        .send({ email: user.email, validation_code: code, password: 'a brand new passphrase' })
        .expect(422, { message: 'Invalid code' });
      await forgetLastCodeTime(t, user.email);
      await t.http.post(CODE).send({ email: user.email }).expect(202);
      await t.http.post(`${USERS}/${id}/password_reset`).set('Authorization', bearer(writer.key)).expect(422, {
        message: 'Account is disabled',
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(t.smtp.mailsTo(user.email)).toHaveLength(2);
      const listed = await t.http.get(USERS).query({ email: user.email }).set('Authorization', bearer(reader.key)).expect(200);
      expect(listed.body.users[0].status).toBe('disabled');
      // Disabling again changes nothing and records nothing.
      const entries = await latestAudit(1);
      await t.http.put(`${USERS}/${id}/status`).set('Authorization', bearer(writer.key)).send({ status: 'disabled' }).expect(200);
      expect(await latestAudit(1)).toEqual(entries);

      // Lifted: the old password works again; the code from before stays dead.
      const enabled = await t.http
        .put(`${USERS}/${id}/status`)
        .set('Authorization', bearer(writer.key))
        .send({ status: 'active' })
        .expect(200);
      expect(enabled.body.status).toBe('active');
      expect((await latestAudit(1))[0]).toMatchObject({ action: 'user.enabled', user_id: id, key_name: writer.name });
      await login(user.email).expect(200);
    });

    it('takes only "disabled" or "active", as JSON', async () => {
      const id = await idOf((await createActiveUser(t)).email);
      for (const body of [{}, { status: 'deactived' }, { status: 'gone' }]) {
        const response = await t.http.put(`${USERS}/${id}/status`).set('Authorization', bearer(writer.key)).send(body).expect(400);
        expect(response.body.errors[0].field).toBe('status');
      }
      await t.http
        .put(`${USERS}/${id}/status`)
        .set('Authorization', bearer(writer.key))
        .set('Content-Type', 'text/plain')
        .send('disabled')
        .expect(415);
      await t.http
        .put(`${USERS}/999999999/status`)
        .set('Authorization', bearer(writer.key))
        .send({ status: 'disabled' })
        .expect(404, NOT_FOUND);
    });

    it('puts an account never activated back to waiting for its code when lifted', async () => {
      const email = uniqueEmail('never');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const id = await idOf(email);
      await t.http.put(`${USERS}/${id}/status`).set('Authorization', bearer(writer.key)).send({ status: 'disabled' }).expect(200);
      await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(422, { message: 'Invalid code' });
      const lifted = await t.http
        .put(`${USERS}/${id}/status`)
        .set('Authorization', bearer(writer.key))
        .send({ status: 'active' })
        .expect(200);
      expect(lifted.body.status).toBe('deactived');
      await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(200);
    });
  });

  describe('changes (35–38)', () => {
    it('DELETE /users/{id}/sessions (35) signs every session out; audited', async () => {
      const user = await createActiveUser(t);
      const second = (await login(user.email).expect(200)).body.access_token as string;
      const id = await idOf(user.email);
      await t.http.delete(`${USERS}/${id}/sessions`).set('Authorization', bearer(writer.key)).expect(200, { message: 'success' });
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
      await t.http.get(VALIDATIONS).auth(user.email, second).expect(401);
      expect((await latestAudit(1))[0]).toMatchObject({ action: 'user.sessions_revoked', user_id: id, email: user.email });
      await login(user.email).expect(200);
      await t.http.delete(`${USERS}/999999999/sessions`).set('Authorization', bearer(writer.key)).expect(404, NOT_FOUND);
    });

    it('DELETE /users/{id}/second_factor (36) signs every session out and mails a notice; audited', async () => {
      const user = await createActiveUser(t);
      const id = await idOf(user.email);
      await t.http.delete(`${USERS}/${id}/second_factor`).set('Authorization', bearer(writer.key)).expect(200, {
        message: 'Second factor removed',
      });
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
      const notice = await waitForMail(t.smtp, user.email, /second factor of your one_auth account was removed/);
      expect(notice).toContain('passkeys were kept');
      expect((await latestAudit(1))[0]).toMatchObject({ action: 'user.second_factor_removed', user_id: id });
    });

    it('POST /users/{id}/password_reset (37) mails a code as POST /validation_code does; it sets a new password', async () => {
      const user = await createActiveUser(t);
      const id = await idOf(user.email);
      // Past the resend interval of the activation code.
      await forgetLastCodeTime(t, user.email);
      await t.http.post(`${USERS}/${id}/password_reset`).set('Authorization', bearer(writer.key)).expect(202, {
        message: 'A code has been sent',
      });
      const code = await t.smtp.waitForCode(user.email, 2);
      expect((await latestAudit(1))[0]).toMatchObject({ action: 'user.password_reset_sent', user_id: id });
      await t.http.put(USER).send({ email: user.email, validation_code: code, password: 'a brand new passphrase' }).expect(200);
      await login(user.email, 'a brand new passphrase').expect(200);
      // Within the resend interval: the code already mailed stands, nothing more is sent; still on record.
      await t.http.post(`${USERS}/${id}/password_reset`).set('Authorization', bearer(writer.key)).expect(202);
      expect((await latestAudit(1))[0]).toMatchObject({ action: 'user.password_reset_sent', user_id: id });
      await t.http.post(`${USERS}/999999999/password_reset`).set('Authorization', bearer(writer.key)).expect(404, NOT_FOUND);
    });

    it('DELETE /users/{id} (38) erases as DELETE /user does, goodbye mail included; the audit keeps the id, not the address', async () => {
      const user = await createActiveUser(t);
      const id = await idOf(user.email);
      await t.http.delete(`${USERS}/${id}/sessions`).set('Authorization', bearer(writer.key)).expect(200);
      await t.http.delete(`${USERS}/${id}`).set('Authorization', bearer(writer.key)).expect(200, { message: 'Account deleted' });
      await waitForMail(t.smtp, user.email, /account was deleted/);
      await t.http.get(`${USERS}/${id}`).set('Authorization', bearer(reader.key)).expect(404, NOT_FOUND);
      await login(user.email).expect(401);
      const [erased, revoked] = await latestAudit(2);
      expect(erased).toMatchObject({ action: 'user.erased', user_id: id, email: '', key_name: writer.name });
      expect(revoked).toMatchObject({ action: 'user.sessions_revoked', user_id: id, email: '' });
      // Nothing left names the person; the address can register again.
      const rows = (await t.dataSource.query('SELECT COUNT(*) AS n FROM admin_audit WHERE target_email = ?', [user.email])) as {
        n: number | string;
      }[];
      expect(Number(rows[0].n)).toBe(0);
      await t.http.post(USER).send({ email: user.email }).expect(201);
      await t.http.delete(`${USERS}/${id}`).set('Authorization', bearer(writer.key)).expect(404, NOT_FOUND);
    });
  });

  describe('GET /audit (39)', () => {
    it('lists entries newest first, paged by cursor without repeats', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const id = await idOf((await createActiveUser(t)).email);
        await t.http.delete(`${USERS}/${id}/sessions`).set('Authorization', bearer(writer.key)).expect(200);
        ids.push(id);
      }
      const first = await t.http.get(AUDIT).query({ limit: 2 }).set('Authorization', bearer(reader.key)).expect(200);
      const second = await t.http
        .get(AUDIT)
        .query({ limit: 2, cursor: first.body.next_cursor })
        .set('Authorization', bearer(reader.key))
        .expect(200);
      const entries = [...first.body.entries, ...second.body.entries] as AuditEntry[];
      expect(entries.slice(0, 3).map((entry) => entry.user_id)).toEqual([...ids].reverse());
      const entryIds = entries.map((entry) => entry.id);
      expect(entryIds).toEqual([...entryIds].sort((a, b) => b - a));
      expect(new Set(entryIds).size).toBe(4);
      await t.http.get(AUDIT).query({ cursor: 'xyz' }).set('Authorization', bearer(reader.key)).expect(400);
    });

    it('is pruned by housekeeping past ADMIN_AUDIT_RETENTION, with the keys revoked as long ago', async () => {
      const id = await idOf((await createActiveUser(t)).email);
      await t.http.delete(`${USERS}/${id}/sessions`).set('Authorization', bearer(writer.key)).expect(200);
      await t.http.delete(`${USERS}/${id}/sessions`).set('Authorization', bearer(writer.key)).expect(200);
      const [kept, old] = await latestAudit(2);
      const yearAgo = Date.now() - 366 * 86_400_000;
      await t.dataSource.query('UPDATE admin_audit SET at = ? WHERE id = ?', [yearAgo, old.id]);
      const stale = await createKey(t.app, 'users:read');
      await keysCommand(t.app, ['revoke', stale.name]);
      await t.dataSource.query('UPDATE api_keys SET revoked_at = ? WHERE name = ?', [yearAgo, stale.name]);
      // An account never activated that an operator sent a code to, then left idle past INACTIVE_ACCOUNT_TTL.
      const idle = uniqueEmail('idle');
      await t.http.post(USER).send({ email: idle }).expect(201);
      const idleId = await idOf(idle);
      await forgetLastCodeTime(t, idle);
      await t.http.post(`${USERS}/${idleId}/password_reset`).set('Authorization', bearer(writer.key)).expect(202);
      expect((await latestAudit(1))[0]).toMatchObject({ user_id: idleId, email: idle });
      const longAgo = Date.now() - 8 * 86_400_000;
      await t.dataSource.query('UPDATE users SET code_sent_at = ?, created_at = ? WHERE id = ?', [longAgo, longAgo, idleId]);
      const report = await t.app.get(HousekeepingService).runOnce();
      expect(report.inactiveAccounts).toBeGreaterThanOrEqual(1);
      // Its entry stays, without the address.
      expect((await latestAudit(100)).find((entry) => entry.user_id === idleId)).toMatchObject({
        action: 'user.password_reset_sent',
        email: '',
      });
      expect(report.adminAudit).toBeGreaterThanOrEqual(1);
      expect(report.revokedApiKeys).toBeGreaterThanOrEqual(1);
      const ids = (await latestAudit(100)).map((entry) => entry.id);
      expect(ids).not.toContain(old.id);
      expect(ids).toContain(kept.id);
      expect((await keysCommand(t.app, ['list'])).out.join('\n')).not.toContain(stale.name);
      // A key revoked lately stays listed (its name stays taken).
      expect((await keysCommand(t.app, ['list'])).out.join('\n')).toContain(writer.name);
    });
  });
});

describe('operators on several instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp();
    // The second instance on the first one's database (its SQLite file, or the same MariaDB).
    b = await startTestApp(process.env.DATABASE_URL ? {} : { DATABASE_URL: `sqlite:${a.dataDir}/one_auth.sqlite` });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a key revoked through one instance is refused by the other at once; a disable too', async () => {
    const { name, key } = await createKey(a.app, 'users:read,users:write');
    await b.http.get(USERS).set('Authorization', `Bearer ${key}`).expect(200);
    const user = await createActiveUser(a);
    const id = (await b.http.get(USERS).query({ email: user.email }).set('Authorization', `Bearer ${key}`).expect(200)).body.users[0]
      .id as number;
    await a.http.put(`${USERS}/${id}/status`).set('Authorization', `Bearer ${key}`).send({ status: 'disabled' }).expect(200);
    await b.http.get(TOKENS).auth(user.email, PASSWORD).expect(401, BAD_PASSWORD);
    await b.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
    expect((await keysCommand(a.app, ['revoke', name])).status).toBe(0);
    await b.http.get(USERS).set('Authorization', `Bearer ${key}`).expect(401, BAD_KEY);
    await a.http.get(USERS).set('Authorization', `Bearer ${key}`).expect(401, BAD_KEY);
  });
});
