import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CreationOptions, type RequestOptions, SoftwareAuthenticator } from './helpers/software-authenticator.js';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from './helpers/totp.js';
import { userId } from './helpers/webhook-rows.js';

const API = '/one_auth/api';
const OPTIONS = `${API}/passkeys/registration/options`;
const ORIGIN = 'https://app.one-auth.test';
const WRONG_PASSWORD = { message: 'Password is not correct' };
const INVALID_CODE = { message: 'Invalid code' };
const SIGN_IN_AGAIN = { message: 'Sign in again to add a passkey' };
const MINUTE = 60_000;

type User = { email: string; password: string; token: string };

/**
 * Adding a passkey (28) asks for more than the token: a stolen token must
 * not add a way in that outlives it. The password again, a code with
 * two-step login; an account without a password, a sign-in less than 10
 * minutes old. Refused, no challenge is made.
 */
describe('adding a passkey needs more than a token (28)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ PASSKEY_ORIGINS: ORIGIN });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await t?.close();
  });

  const options = (user: Pick<User, 'token'>, body?: object) => {
    const request = t.http.post(OPTIONS).set('Authorization', `Bearer ${user.token}`);
    return body === undefined ? request : request.send(body);
  };

  /** Challenges the account has, read straight from the table (read only). */
  async function challengesOf(email: string): Promise<number> {
    const rows = (await t.dataSource.query('SELECT COUNT(*) AS n FROM passkey_challenges WHERE user_id = ?', [await userId(t, email)])) as {
      n: number | string;
    }[];
    return Number(rows[0].n);
  }

  async function eventTypes(user: User): Promise<string[]> {
    const response = await t.http.get(`${API}/user/events`).set('Authorization', `Bearer ${user.token}`).expect(200);
    return (response.body.events as { type: string }[]).map((event) => event.type);
  }

  /** Moves the service's clock (it runs in this process) `ms` ahead of the real one, still ticking. */
  function clockAhead(ms: number): void {
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
  }

  describe('an account with a password', () => {
    it('refuses a token alone and a wrong password, making no challenge; the password gives options as before', async () => {
      const user = await createActiveUser(t);
      const missing = await options(user).expect(400);
      expect(missing.body).toEqual({ message: 'password is required', errors: [{ field: 'password', message: 'password is required' }] });
      await options(user, {}).expect(400);
      expect((await options(user, { password: 5 }).expect(400)).body.message).toBe('password must be a string');
      expect((await options(user, { password: 'not the password' }).expect(422)).body).toEqual(WRONG_PASSWORD);
      expect(await challengesOf(user.email)).toBe(0);
      // A failed sign-in is recorded just after its answer (recordLater): polled until written.
      await expect.poll(() => eventTypes(user), { timeout: 5000 }).toContain('sign_in_failed');

      const given = await options(user, { password: user.password }).expect(200);
      expect(await challengesOf(user.email)).toBe(1);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      await t.http
        .post(`${API}/passkeys`)
        .set('Authorization', `Bearer ${user.token}`)
        .send({ response: authenticator.create(given.body as CreationOptions), name: 'Laptop' })
        .expect(201);
    });

    it('counts wrong passwords as failed logins: past the limit even the right one answers 429', async () => {
      const user = await createActiveUser(t);
      for (let i = 0; i < 10; i++) await options(user, { password: `wrong ${i}` }).expect(422);
      const limited = await options(user, { password: user.password }).expect(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(await challengesOf(user.email)).toBe(0);
    });

    it('asks no recent sign-in of it: an old token with the password gives options', async () => {
      const user = await createActiveUser(t);
      clockAhead(60 * MINUTE);
      await options(user, { password: user.password }).expect(200);
    });
  });

  describe('an account with two-step login', () => {
    it('refuses a missing or wrong code after the right password, making no challenge; a TOTP code gives options once', async () => {
      const user = await enableTwoStep(t, await createActiveUser(t));
      expect((await options(user, { password: user.password }).expect(422)).body).toEqual(INVALID_CODE);
      expect((await options(user, { password: user.password, code: '' }).expect(422)).body).toEqual(INVALID_CODE);
      expect((await options(user, { password: user.password, code: '000000' }).expect(422)).body).toEqual(INVALID_CODE);
      expect((await options(user, { password: user.password, code: 'aaaa-bbbb-cccc' }).expect(422)).body).toEqual(INVALID_CODE);
      // The password is checked first: a right code does not make up for a wrong one.
      await awayFromStepEdge();
      expect((await options(user, { password: 'not the password', code: totpCode(user.secret) }).expect(422)).body).toEqual(WRONG_PASSWORD);
      expect(await challengesOf(user.email)).toBe(0);
      expect(await eventTypes(user)).toContain('second_factor_failed');

      await awayFromStepEdge();
      const code = totpCode(user.secret);
      await options(user, { password: user.password, code }).expect(200);
      expect(await challengesOf(user.email)).toBe(1);
      // Used up with the challenge it allowed: the same code again is refused.
      expect((await options(user, { password: user.password, code }).expect(422)).body).toEqual(INVALID_CODE);
      expect(await challengesOf(user.email)).toBe(1);
    });

    it('takes a recovery code, once, and records its use', async () => {
      const user = await enableTwoStep(t, await createActiveUser(t));
      const [recoveryCode] = user.recoveryCodes;
      await options(user, { password: user.password, code: recoveryCode }).expect(200);
      expect(await eventTypes(user)).toContain('recovery_code_used');
      await options(user, { password: user.password, code: recoveryCode }).expect(422);
    });

    it('counts wrong codes with wrong passwords toward the login limits', async () => {
      const user = await enableTwoStep(t, await createActiveUser(t));
      for (let i = 0; i < 5; i++) await options(user, { password: `wrong ${i}` }).expect(422);
      for (let i = 0; i < 5; i++) await options(user, { password: user.password, code: '000000' }).expect(422);
      await awayFromStepEdge();
      await options(user, { password: user.password, code: totpCode(user.secret) }).expect(429);
      expect(await challengesOf(user.email)).toBe(0);
    });
  });

  describe('an account without a password', () => {
    /**
     * An active account that has no password, as a sign-in with another
     * provider will make them: here an account with a passkey whose
     * password is then removed in SQL (the setup only).
     */
    async function passwordlessUserWithPasskey(): Promise<{ user: User; authenticator: SoftwareAuthenticator }> {
      const user = await createActiveUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const given = await options(user, { password: user.password }).expect(200);
      await t.http
        .post(`${API}/passkeys`)
        .set('Authorization', `Bearer ${user.token}`)
        .send({ response: authenticator.create(given.body as CreationOptions) })
        .expect(201);
      await t.dataSource.query('UPDATE users SET password_hash = NULL WHERE email = ?', [user.email]);
      return { user, authenticator };
    }

    async function signInWithPasskey(authenticator: SoftwareAuthenticator): Promise<string> {
      const request = await t.http.post(`${API}/passkeys/authentication/options`).send({}).expect(200);
      const signedIn = await t.http
        .post(`${API}/access_tokens/passkey`)
        .send({ response: authenticator.get(request.body as RequestOptions) })
        .expect(200);
      return signedIn.body.access_token as string;
    }

    it('cannot sign in with a password: none is correct', async () => {
      const { user } = await passwordlessUserWithPasskey();
      const refused = await t.http.get(`${API}/access_tokens`).auth(user.email, user.password).expect(401);
      expect(refused.body).toEqual({ message: 'Email or password is not correct' });
      await t.http.get(`${API}/access_tokens`).auth(user.email, '').expect(401);
    });

    it('needs a token from a sign-in less than 10 minutes old, whatever password it sends', async () => {
      const { user, authenticator } = await passwordlessUserWithPasskey();
      const before = await challengesOf(user.email);
      clockAhead(9 * MINUTE);
      await options(user, {}).expect(200);
      expect(await challengesOf(user.email)).toBe(before + 1);

      vi.restoreAllMocks();
      clockAhead(10 * MINUTE + 1000);
      expect((await options(user, {}).expect(403)).body).toEqual(SIGN_IN_AGAIN);
      expect((await options(user).expect(403)).body).toEqual(SIGN_IN_AGAIN);
      // Its old password, or any, is no way around it.
      expect((await options(user, { password: user.password }).expect(403)).body).toEqual(SIGN_IN_AGAIN);
      expect(await challengesOf(user.email)).toBe(before + 1);

      // Signing in again (here with the passkey) gives a token that may.
      const fresh = await signInWithPasskey(authenticator);
      const given = await options({ token: fresh }, {}).expect(200);
      await t.http
        .post(`${API}/passkeys`)
        .set('Authorization', `Bearer ${fresh}`)
        .send({ response: new SoftwareAuthenticator(ORIGIN).create(given.body as CreationOptions), name: 'Phone' })
        .expect(201);
      const list = await t.http.get(`${API}/passkeys`).set('Authorization', `Bearer ${fresh}`).expect(200);
      expect(list.body.passkeys).toHaveLength(2);
    });
  });
});
