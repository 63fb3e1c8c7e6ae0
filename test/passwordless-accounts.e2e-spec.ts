import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKey } from './helpers/api-keys.js';
import { waitForMail } from './helpers/mail-text.js';
import { addUpstream, callbackUri, exchange, RETURN_TO, signInWith } from './helpers/social-sign-in.js';
import { createActiveUser, forgetLastCodeTime, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';
import { UpstreamProvider } from './helpers/upstream-provider.js';
import { userId } from './helpers/webhook-rows.js';

const API = '/one_auth/api';
const MINUTE = 60_000;

/**
 * An account made by a sign-in with another provider has no password. What
 * asks for the password again (17, 18, 20) asks it for a token from a
 * sign-in less than 10 minutes old instead; a mailed code (3) or 17 sets a
 * first password, told as set rather than reset or changed; an operator's
 * disable and enable give back an active account.
 */
describe('accounts without a password', () => {
  let t: TestApp;
  let upstream: UpstreamProvider;
  const google = `google-${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    upstream = await UpstreamProvider.start([callbackUri(google)]);
    t = await startTestApp({ SOCIAL_RETURN_URLS: RETURN_TO });
    await addUpstream(t, upstream, google, true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.stop();
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function passwordless(): Promise<{ email: string; sub: string; token: string }> {
    const email = uniqueEmail('no-password');
    const sub = randomUUID();
    upstream.users.set(sub, { email, email_verified: true });
    const { loginCode } = await signInWith(t, upstream, google, sub);
    return { email, sub, token: (await exchange(t, loginCode!).expect(200)).body.access_token as string };
  }

  function clockAhead(ms: number): void {
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
  }

  async function eventTypes(token: string): Promise<string[]> {
    return ((await t.http.get(`${API}/user/events`).set(auth(token)).expect(200)).body.events as { type: string }[]).map((e) => e.type);
  }

  describe('17: changing the password sets a first one', () => {
    it('with a token from a recent sign-in, whatever `password` says; told as password_set', async () => {
      const account = await passwordless();
      await t.http
        .put(`${API}/user/password`)
        .set(auth(account.token))
        .send({ password: 'anything at all', new_password: 'my very first password' })
        .expect(200, { message: 'Password changed' });
      await t.http.get(`${API}/access_tokens`).auth(account.email, 'my very first password').expect(200);
      const events = await eventTypes(account.token);
      expect(events).toContain('password_set');
      expect(events).not.toContain('password_changed');
      await waitForMail(t.smtp, account.email, /A password was set for your one_auth account/);
      // From now on it is an account with a password: the password is asked for again.
      await t.http.put(`${API}/user/password`).set(auth(account.token)).send({ new_password: 'another one of mine' }).expect(400);
      await t.http
        .put(`${API}/user/password`)
        .set(auth(account.token))
        .send({ password: 'my very first password', new_password: 'another one of mine' })
        .expect(200);
      expect(await eventTypes(account.token)).toContain('password_changed');
    });

    it('refuses a token 10 minutes old or more: sign in again', async () => {
      const account = await passwordless();
      clockAhead(10 * MINUTE + 1000);
      const refused = await t.http
        .put(`${API}/user/password`)
        .set(auth(account.token))
        .send({ new_password: 'my very first password' })
        .expect(403);
      expect(refused.body).toEqual({ message: 'Sign in again to set a password' });
      vi.restoreAllMocks();
      await t.http.get(`${API}/access_tokens`).auth(account.email, 'my very first password').expect(401);
    });
  });

  describe('18: changing the email', () => {
    it('with a recent sign-in; refused with an old token', async () => {
      const account = await passwordless();
      const newEmail = uniqueEmail('moved');
      clockAhead(10 * MINUTE + 1000);
      expect((await t.http.post(`${API}/user/email`).set(auth(account.token)).send({ new_email: newEmail }).expect(403)).body).toEqual({
        message: 'Sign in again to change the email',
      });
      vi.restoreAllMocks();
      await t.http.post(`${API}/user/email`).set(auth(account.token)).send({ new_email: newEmail }).expect(202);
      const code = await t.smtp.waitForCode(newEmail);
      await t.http.put(`${API}/user/email`).set(auth(account.token)).send({ new_email: newEmail, validation_code: code }).expect(200);
    });

    it('still asks an account with a password for it', async () => {
      const user = await createActiveUser(t);
      const missing = await t.http
        .post(`${API}/user/email`)
        .set(auth(user.token))
        .send({ new_email: uniqueEmail('x') })
        .expect(400);
      expect(missing.body).toEqual({ message: 'password is required', errors: [{ field: 'password', message: 'password is required' }] });
    });
  });

  describe('20: deleting the account', () => {
    it('takes a token (Bearer or Basic email:token) from a recent sign-in instead of the password', async () => {
      const first = await passwordless();
      clockAhead(10 * MINUTE + 1000);
      expect((await t.http.delete(`${API}/user`).set(auth(first.token)).expect(403)).body).toEqual({
        message: 'Sign in again to delete the account',
      });
      vi.restoreAllMocks();
      await t.http.delete(`${API}/user`).auth(first.email, first.token).expect(200, { message: 'Account deleted' });
      await waitForMail(t.smtp, first.email, /Your one_auth account was deleted/);
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = ?', [first.email])).toEqual([]);
    });

    it('takes no token for an account with a password: that is a wrong password, counted as one', async () => {
      const user = await createActiveUser(t);
      const refused = await t.http.delete(`${API}/user`).set(auth(user.token)).expect(401);
      expect(refused.body).toEqual({ message: 'Email or password is not correct' });
      expect(refused.headers['www-authenticate']).toBe('Basic realm="one_auth", charset="UTF-8"');
      await t.http.delete(`${API}/user`).auth(user.email, user.token).expect(401);
      // A failed sign-in is recorded just after its answer (recordLater): polled until written.
      await expect.poll(() => eventTypes(user.token), { timeout: 5000 }).toContain('sign_in_failed');
      await t.http.delete(`${API}/user`).expect(401);
      await t.http.delete(`${API}/user`).auth(user.email, user.password).expect(200);
    });
  });

  it('3: a mailed code sets a first password, told as password_set, not password_reset', async () => {
    const account = await passwordless();
    await forgetLastCodeTime(t, account.email);
    await t.http.post(`${API}/validation_code`).send({ email: account.email }).expect(202);
    const code = await t.smtp.waitForCode(account.email);
    const set = await t.http
      .put(`${API}/user`)
      .send({ email: account.email, validation_code: code, password: 'set with a mailed code' })
      .expect(200);
    expect(set.body.status).toBe('active');
    const events = await eventTypes(set.body.access_token as string);
    expect(events).toContain('password_set');
    expect(events).not.toContain('password_reset');
    await waitForMail(t.smtp, account.email, /A password was set/);
    // Its identity still signs it in.
    const again = await signInWith(t, upstream, google, account.sub);
    expect((await exchange(t, again.loginCode!).expect(200)).body.user_profile.email).toBe(account.email);
  });

  it('an operator’s disable then enable gives back an active account, not one waiting for a code', async () => {
    const account = await passwordless();
    const admin = await createKey(t.app, 'users:write,users:read');
    const id = await userId(t, account.email);
    const status = (value: string) =>
      t.http.put(`/one_auth/admin/api/users/${id}/status`).set('Authorization', `Bearer ${admin.key}`).send({ status: value }).expect(200);
    await status('disabled');
    expect((await status('active')).body.status).toBe('active');
    const listed = await t.http.get(`/one_auth/admin/api/users/${id}`).set('Authorization', `Bearer ${admin.key}`).expect(200);
    expect(listed.body.status).toBe('active');
    // An account never activated still goes back to waiting for its code.
    const pending = uniqueEmail('pending');
    await t.http.post(`${API}/user`).send({ email: pending }).expect(201);
    const pendingId = await userId(t, pending);
    await t.http
      .put(`/one_auth/admin/api/users/${pendingId}/status`)
      .set('Authorization', `Bearer ${admin.key}`)
      .send({ status: 'disabled' });
    const back = await t.http
      .put(`/one_auth/admin/api/users/${pendingId}/status`)
      .set('Authorization', `Bearer ${admin.key}`)
      .send({ status: 'active' })
      .expect(200);
    expect(back.body.status).toBe('deactived');
  });
});
