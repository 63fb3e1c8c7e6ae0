import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../src/housekeeping/housekeeping.service.js';
import { mailText, waitForMail } from './helpers/mail-text.js';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, startLogin, totpCode, type TwoStepUser } from './helpers/totp.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

const TOKENS = '/one_auth/api/access_tokens';
const SECOND_FACTOR = '/one_auth/api/access_tokens/second_factor';
const TOTP = '/one_auth/api/user/totp';
const RECOVERY_CODES = '/one_auth/api/user/recovery_codes';
const VALIDATIONS = '/one_auth/api/validations';
const EVENTS = '/one_auth/api/user/events';
const EXPORT = '/one_auth/api/user/export';
const USER = '/one_auth/api/user';
const INVALID_CODE = { message: 'Invalid code' };
const LOGIN_EXPIRED = { message: 'Login expired' };
const WRONG_PASSWORD = { message: 'Password is not correct' };
const TOO_MANY_LOGINS = { message: 'Too many failed logins, please retry later' };
const CHALLENGE = 'Basic realm="one_auth", charset="UTF-8"';
const ISSUER = 'Acme Login';
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let addressCounter = 0;
/** A client address of its own (the app trusts X-Forwarded-For): per-address limits start empty. */
const newAddress = () => `10.23.${(++addressCounter >> 8) & 255}.${addressCounter & 255}`;

/** Six digits that are not `code`. */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('two-step login with an authenticator app and recovery codes (4′, 23–27)', () => {
  const hooks = new WebhookReceiver(WEBHOOK_SECRET);
  let t: TestApp;

  beforeAll(async () => {
    await hooks.start();
    t = await startTestApp({
      TRUST_PROXY: 'true',
      TOTP_ISSUER: ISSUER,
      LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '6/15m',
      WEBHOOK_URL: hooks.url,
      WEBHOOK_SECRET,
    });
  });
  afterAll(async () => {
    await t.close();
    await hooks.stop();
  });

  async function twoStepUser(): Promise<TwoStepUser> {
    return enableTwoStep(t, await createActiveUser(t));
  }

  function finish(mfaToken: string, code: string, address = newAddress()) {
    return t.http.post(SECOND_FACTOR).set('X-Forwarded-For', address).send({ mfa_token: mfaToken, code });
  }

  async function eventTypes(email: string, token: string): Promise<string[]> {
    const response = await t.http.get(EVENTS).auth(email, token).expect(200);
    return (response.body.events as { type: string }[]).map((event) => event.type);
  }

  async function userIdOf(email: string): Promise<number> {
    const [row] = (await t.dataSource.query('SELECT id FROM users WHERE email = ?', [email])) as { id: number | string }[];
    return Number(row.id);
  }

  /** A full login through both steps with a TOTP code of the given step; answers the token. */
  async function loginWithTotp(user: TwoStepUser, offset: number): Promise<string> {
    await awayFromStepEdge();
    const mfaToken = await startLogin(t, user.email, user.password);
    const response = await finish(mfaToken, totpCode(user.secret, offset)).expect(200);
    return response.body.access_token as string;
  }

  describe('enrolment (24, 25)', () => {
    it('hands out a secret and its Key URI, pending until a code confirms it; then logins need a second step', async () => {
      const user = await createActiveUser(t);
      const other = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
      const started = await t.http.post(TOTP).auth(user.email, user.token).send({ password: user.password }).expect(200);
      expect(Object.keys(started.body)).toEqual(['secret', 'otpauth_uri']);
      const secret = started.body.secret as string;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const uri = new URL(started.body.otpauth_uri as string);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.host).toBe('totp');
      expect(decodeURIComponent(uri.pathname)).toBe(`/${ISSUER}:${user.email}`);
      expect(Object.fromEntries(uri.searchParams)).toEqual({ secret, issuer: ISSUER, algorithm: 'SHA1', digits: '6', period: '30' });
      expect(started.headers['cache-control']).toBe('no-store');

      // Not on yet: the password alone still logs in.
      await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
      await awayFromStepEdge();
      expect(
        (
          await t.http
            .put(TOTP)
            .auth(user.email, user.token)
            .send({ code: otherThan(totpCode(secret)) })
            .expect(422)
        ).body,
      ).toEqual(INVALID_CODE);
      const confirmed = await t.http
        .put(TOTP)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', '198.51.100.23')
        .send({ code: totpCode(secret) })
        .expect(200);
      const codes = confirmed.body.recovery_codes as string[];
      expect(Object.keys(confirmed.body)).toEqual(['recovery_codes']);
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);

      // Every other session is signed out; the one that turned it on stays.
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
      await t.http.get(VALIDATIONS).auth(user.email, other).expect(401);
      const challenge = await t.http.get(TOKENS).auth(user.email, user.password).expect(401);
      expect(challenge.body).toEqual({
        message: 'Second factor required',
        mfa_token: expect.any(String),
        methods: ['totp', 'recovery_code'],
      });
      expect(challenge.body.mfa_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(challenge.headers['www-authenticate']).toBe(CHALLENGE);
      expect(challenge.headers['cache-control']).toBe('no-store');

      // Told and kept: the event, the notice, the webhook.
      expect((await eventTypes(user.email, user.token))[0]).toBe('second_factor_enabled');
      const notice = await waitForMail(t.smtp, user.email, /Two-step login is on/);
      expect(notice).toContain('From: 198.51.100.23');
      for (const secretPart of [secret, ...codes]) expect(notice).not.toContain(secretPart);
      const id = await userIdOf(user.email);
      await hooks.waitFor(() => hooks.received.some((hook) => hook.body.type === 'user.mfa_enabled' && hook.body.data.user_id === id));
      const hook = hooks.received.find((candidate) => candidate.body.type === 'user.mfa_enabled' && candidate.body.data.user_id === id)!;
      expect(hook.body.data).toEqual({ user_id: id, email: user.email });
      expect(hook.verified).toBe(true);
      expect(hook.raw).not.toContain(secret);

      // A second app cannot be enrolled over the first, nor the first confirmed again.
      expect((await t.http.post(TOTP).auth(user.email, user.token).send({ password: user.password }).expect(409)).body).toEqual({
        message: 'Second factor already enabled',
      });
      expect(
        (
          await t.http
            .put(TOTP)
            .auth(user.email, user.token)
            .send({ code: totpCode(secret, 1) })
            .expect(409)
        ).body,
      ).toEqual({
        message: 'Second factor already enabled',
      });
    });

    it('refuses a wrong password (as a failed login), no token, and a bad body', async () => {
      const user = await createActiveUser(t);
      expect((await t.http.post(TOTP).auth(user.email, user.token).send({ password: 'not the password' }).expect(422)).body).toEqual(
        WRONG_PASSWORD,
      );
      await t.http.post(TOTP).auth(user.email, user.password).send({ password: user.password }).expect(401);
      await t.http.put(TOTP).send({ code: '123456' }).expect(401);
      expect((await t.http.post(TOTP).auth(user.email, user.token).send({}).expect(400)).body).toEqual({
        message: 'password is required',
        errors: [{ field: 'password', message: 'password is required' }],
      });
      expect((await t.http.put(TOTP).auth(user.email, user.token).send({ code: 123456 }).expect(400)).body.message).toBe(
        'code must be a string',
      );
      // A failed sign-in is recorded just after its answer (recordLater): polled until written.
      await expect.poll(async () => (await eventTypes(user.email, user.token))[0], { timeout: 5000 }).toBe('sign_in_failed');
    });

    it('answers 422 for a code with no secret pending, and for one pending longer than 10 minutes', async () => {
      const user = await createActiveUser(t);
      await t.http.put(TOTP).auth(user.email, user.token).send({ code: '123456' }).expect(422);
      const secret = (await t.http.post(TOTP).auth(user.email, user.token).send({ password: user.password }).expect(200)).body
        .secret as string;
      await t.dataSource.query('UPDATE totp_factors SET pending_expires_at = pending_expires_at - 600001 WHERE user_id = ?', [
        await userIdOf(user.email),
      ]);
      await awayFromStepEdge();
      expect(
        (
          await t.http
            .put(TOTP)
            .auth(user.email, user.token)
            .send({ code: totpCode(secret) })
            .expect(422)
        ).body,
      ).toEqual(INVALID_CODE);
      // Starting again replaces the secret: the old one's codes no longer confirm.
      const fresh = (await t.http.post(TOTP).auth(user.email, user.token).send({ password: user.password }).expect(200)).body
        .secret as string;
      expect(fresh).not.toBe(secret);
      await t.http
        .put(TOTP)
        .auth(user.email, user.token)
        .send({ code: totpCode(secret) })
        .expect(422);
      await t.http
        .put(TOTP)
        .auth(user.email, user.token)
        .send({ code: totpCode(fresh) })
        .expect(200);
    });

    it('keeps the secret encrypted and recovery codes as keyed hashes only', async () => {
      const user = await twoStepUser();
      const id = await userIdOf(user.email);
      const rows = JSON.stringify([
        await t.dataSource.query('SELECT * FROM totp_factors WHERE user_id = ?', [id]),
        await t.dataSource.query('SELECT * FROM recovery_codes WHERE user_id = ?', [id]),
      ]);
      expect(rows).not.toContain(user.secret);
      expect(rows).not.toContain(Buffer.from(user.secret).toString('base64'));
      for (const code of user.recoveryCodes) {
        expect(rows).not.toContain(code);
        expect(rows).not.toContain(code.replaceAll('-', ''));
      }
      const [{ n }] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?', [id])) as { n: number }[];
      expect(Number(n)).toBe(10);
    });
  });

  describe('logging in with a second step (4′, 23)', () => {
    it('answers a wrong password exactly as before, and a right one with an mfa_token to finish with a code', async () => {
      const user = await twoStepUser();
      const wrong = await t.http.get(TOKENS).auth(user.email, 'not the password').set('X-Forwarded-For', newAddress()).expect(401);
      expect(wrong.body).toEqual({ message: 'Email or password is not correct' });
      expect(wrong.headers['www-authenticate']).toBe(CHALLENGE);
      await awayFromStepEdge();
      const mfaToken = await startLogin(t, user.email, user.password);
      const response = await finish(mfaToken, totpCode(user.secret)).set('User-Agent', 'Phone/2.0').expect(200);
      expect(response.body).toEqual({
        access_token: expect.stringMatching(/^[\w-]{43}$/),
        user_profile: { email: user.email, first_name: '', last_name: '', country: '', department: '', avatar: '' },
      });
      expect(response.headers['cache-control']).toBe('no-store');
      await t.http.get(VALIDATIONS).auth(user.email, response.body.access_token).expect(200);
      const sessions = (await t.http.get('/one_auth/api/sessions').auth(user.email, user.token).expect(200)).body.sessions;
      expect(sessions[0].user_agent).toBe('Phone/2.0');
      expect((await eventTypes(user.email, user.token))[0]).toBe('sign_in');
      // The mfa_token is single use.
      expect((await finish(mfaToken, totpCode(user.secret, 1)).expect(401)).body).toEqual(LOGIN_EXPIRED);
      // It is never an access token.
      await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${mfaToken}`).expect(401);
    });

    it('accepts a code once: a replay in its window is refused', async () => {
      const user = await twoStepUser();
      await awayFromStepEdge();
      const code = totpCode(user.secret);
      await finish(await startLogin(t, user.email, user.password), code).expect(200);
      const replay = await finish(await startLogin(t, user.email, user.password), code).expect(422);
      expect(replay.body).toEqual(INVALID_CODE);
    });

    it('accepts the step before and after the current one, and refuses an older step once a newer one is used', async () => {
      const user = await createActiveUser(t);
      const secret = (await t.http.post(TOTP).auth(user.email, user.token).send({ password: user.password }).expect(200)).body
        .secret as string;
      await awayFromStepEdge();
      // Confirmed two steps back would be outside the window: refused; the step before is fine.
      await t.http
        .put(TOTP)
        .auth(user.email, user.token)
        .send({ code: totpCode(secret, -2) })
        .expect(422);
      await t.http
        .put(TOTP)
        .auth(user.email, user.token)
        .send({ code: totpCode(secret, 2) })
        .expect(422);
      await t.http
        .put(TOTP)
        .auth(user.email, user.token)
        .send({ code: totpCode(secret, -1) })
        .expect(200);
      const twoStep = { ...user, secret, recoveryCodes: [] };
      await awayFromStepEdge();
      await finish(await startLogin(t, user.email, user.password), totpCode(secret, 2)).expect(422);
      await loginWithTotp(twoStep, 1);
      // The current step is older than the one just used: refused.
      await awayFromStepEdge();
      await finish(await startLogin(t, user.email, user.password), totpCode(secret, 0)).expect(422);
    });

    it('takes a recovery code once, however it is typed, and tells the owner', async () => {
      const user = await twoStepUser();
      const [first, second] = user.recoveryCodes;
      const response = await finish(await startLogin(t, user.email, user.password), first.toUpperCase().replaceAll('-', ' ')).expect(200);
      await t.http.get(VALIDATIONS).auth(user.email, response.body.access_token).expect(200);
      expect((await finish(await startLogin(t, user.email, user.password), first).expect(422)).body).toEqual(INVALID_CODE);
      await finish(await startLogin(t, user.email, user.password), second.replaceAll('-', '')).expect(200);
      const events = await eventTypes(user.email, user.token);
      expect(events.filter((type) => type === 'recovery_code_used')).toHaveLength(2);
      const notice = await waitForMail(t.smtp, user.email, /recovery code of your one_auth account was used/);
      expect(notice).not.toContain(first);
      expect(notice).toContain('POST /one_auth/api/user/recovery_codes');
      const export_ = (await t.http.get(EXPORT).auth(user.email, user.token).expect(200)).body;
      expect(export_.second_factor.recovery_codes_left).toBe(8);
    });

    it("refuses another account's recovery code and TOTP code", async () => {
      const alice = await twoStepUser();
      const bob = await twoStepUser();
      await awayFromStepEdge();
      const mfaToken = await startLogin(t, alice.email, alice.password);
      await finish(mfaToken, bob.recoveryCodes[0]).expect(422);
      await finish(mfaToken, totpCode(bob.secret)).expect(422);
      await finish(mfaToken, alice.recoveryCodes[0]).expect(200);
      // Bob's codes are untouched.
      await finish(await startLogin(t, bob.email, bob.password), bob.recoveryCodes[0]).expect(200);
    });

    it('answers 401 Login expired for an unknown, malformed, expired or spent mfa_token, and 400 for a bad body', async () => {
      const user = await twoStepUser();
      const right = () => user.recoveryCodes[0];
      for (const token of [randomBytes(32).toString('base64url'), 'short', 'x'.repeat(64)]) {
        const response = await finish(token, right()).expect(401);
        expect(response.body).toEqual(LOGIN_EXPIRED);
        expect(response.headers['www-authenticate']).toBe(CHALLENGE);
      }
      // Five minutes later.
      const stale = await startLogin(t, user.email, user.password);
      await t.dataSource.query('UPDATE pending_logins SET expires_at = expires_at - 300001 WHERE user_id = ?', [
        await userIdOf(user.email),
      ]);
      expect((await finish(stale, right()).expect(401)).body).toEqual(LOGIN_EXPIRED);
      // Five wrong codes spend it: the right one comes too late.
      const spent = await startLogin(t, user.email, user.password);
      for (let i = 0; i < 5; i++) expect((await finish(spent, `00000${i}`).expect(422)).body).toEqual(INVALID_CODE);
      expect((await finish(spent, right()).expect(401)).body).toEqual(LOGIN_EXPIRED);
      expect((await eventTypes(user.email, user.token)).slice(0, 5)).toEqual(Array(5).fill('second_factor_failed'));
      // Four wrong ones do not.
      const almost = await startLogin(t, user.email, user.password);
      for (let i = 0; i < 4; i++) await finish(almost, `11111${i}`).expect(422);
      await finish(almost, right()).expect(200);
      // Body errors name the field.
      expect((await t.http.post(SECOND_FACTOR).send({ code: '123456' }).expect(400)).body.message).toBe('mfa_token is required');
      expect((await t.http.post(SECOND_FACTOR).send({ mfa_token: 'x' }).expect(400)).body.message).toBe('code is required');
      await t.http.post(SECOND_FACTOR).set('Content-Type', 'text/plain').send('x').expect(415);
    });

    it('counts wrong codes with wrong passwords toward the login limits', async () => {
      const user = await twoStepUser();
      const address = newAddress();
      // The limit here is 6 per account and address: 2 wrong passwords and 4 wrong codes fill it.
      for (let i = 0; i < 2; i++) await t.http.get(TOKENS).auth(user.email, `wrong-${i}`).set('X-Forwarded-For', address).expect(401);
      const mfaToken = await startLogin(t, user.email, user.password, address);
      for (let i = 0; i < 4; i++) await finish(mfaToken, `22222${i}`, address).expect(422);
      const refused = await finish(mfaToken, user.recoveryCodes[0], address).expect(429);
      expect(refused.body).toEqual(TOO_MANY_LOGINS);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', address).expect(429);
      // From elsewhere the same mfa_token still finishes (one attempt left), and the code was not used up.
      await finish(mfaToken, user.recoveryCodes[0], newAddress()).expect(200);
    });
  });

  describe('races', () => {
    it('issues exactly one token for 20 parallel finishes of one mfa_token', async () => {
      const user = await twoStepUser();
      await awayFromStepEdge(8_000);
      const mfaToken = await startLogin(t, user.email, user.password);
      const code = totpCode(user.secret);
      const responses = await Promise.all(Array.from({ length: 20 }, () => finish(mfaToken, code)));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      for (const status of statuses) expect([200, 401, 422]).toContain(status);
      const [{ n }] = (await t.dataSource.query("SELECT COUNT(*) AS n FROM security_events WHERE user_id = ? AND type = 'sign_in'", [
        await userIdOf(user.email),
      ])) as { n: number }[];
      expect(Number(n)).toBe(1);
    });

    it('lets one TOTP code win once over 20 parallel logins', async () => {
      const user = await twoStepUser();
      const tokens: string[] = [];
      for (let i = 0; i < 20; i++) tokens.push(await startLogin(t, user.email, user.password));
      await awayFromStepEdge(8_000);
      const code = totpCode(user.secret);
      const responses = await Promise.all(tokens.map((token) => finish(token, code)));
      expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
      for (const response of responses) expect([200, 422]).toContain(response.status);
    });

    it('lets one recovery code win once over 20 parallel logins', async () => {
      const user = await twoStepUser();
      const tokens: string[] = [];
      for (let i = 0; i < 20; i++) tokens.push(await startLogin(t, user.email, user.password));
      const responses = await Promise.all(tokens.map((token) => finish(token, user.recoveryCodes[3])));
      expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
      for (const response of responses) expect([200, 422]).toContain(response.status);
      const [{ n }] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?', [
        await userIdOf(user.email),
      ])) as { n: number }[];
      expect(Number(n)).toBe(9);
    });
  });

  describe('turning it off (26) and new recovery codes (27)', () => {
    it('turns two-step login off with the password and a code; the recovery codes die with it', async () => {
      const user = await twoStepUser();
      const address = newAddress();
      const call = (body: object) => t.http.delete(TOTP).auth(user.email, user.token).set('X-Forwarded-For', address).send(body);
      expect((await call({ password: user.password }).expect(422)).body).toEqual(INVALID_CODE);
      expect((await call({ password: user.password, code: '000000' }).expect(422)).body).toEqual(INVALID_CODE);
      expect((await call({ password: 'not the password', code: user.recoveryCodes[0] }).expect(422)).body).toEqual(WRONG_PASSWORD);
      await awayFromStepEdge();
      expect((await call({ password: user.password, code: totpCode(user.secret) }).expect(200)).body).toEqual({
        message: 'Second factor disabled',
      });
      // The password alone logs in again; the old recovery codes are gone.
      await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
      const id = await userIdOf(user.email);
      const [{ n }] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?', [id])) as { n: number }[];
      expect(Number(n)).toBe(0);
      expect((await call({ password: user.password, code: user.recoveryCodes[0] }).expect(409)).body).toEqual({
        message: 'Second factor not enabled',
      });
      expect((await eventTypes(user.email, user.token)).slice(1, 2)).toEqual(['second_factor_disabled']);
      const notice = await waitForMail(t.smtp, user.email, /Two-step login is off/);
      expect(notice).toContain('the password alone signs in again');
      await hooks.waitFor(() => hooks.received.some((hook) => hook.body.type === 'user.mfa_disabled' && hook.body.data.user_id === id));
      // On again: a new secret and new codes; the old ones stay dead.
      const again = await enableTwoStep(t, user);
      expect(again.secret).not.toBe(user.secret);
      await finish(await startLogin(t, user.email, user.password), user.recoveryCodes[1]).expect(422);
      await finish(await startLogin(t, user.email, user.password), again.recoveryCodes[1]).expect(200);
    });

    it('makes a new set of recovery codes: the old set stops working', async () => {
      const user = await twoStepUser();
      const call = (body: object) =>
        t.http.post(RECOVERY_CODES).auth(user.email, user.token).set('X-Forwarded-For', newAddress()).send(body);
      expect((await call({ password: user.password }).expect(422)).body).toEqual(INVALID_CODE);
      const renewed = await call({ password: user.password, code: user.recoveryCodes[9] }).expect(200);
      const fresh = renewed.body.recovery_codes as string[];
      expect(fresh).toHaveLength(10);
      expect(fresh.some((code) => user.recoveryCodes.includes(code))).toBe(false);
      await finish(await startLogin(t, user.email, user.password), user.recoveryCodes[0]).expect(422);
      await finish(await startLogin(t, user.email, user.password), fresh[0]).expect(200);
      expect(await eventTypes(user.email, user.token)).toContain('recovery_codes_renewed');
      const plain = await createActiveUser(t);
      expect(
        (await t.http.post(RECOVERY_CODES).auth(plain.email, plain.token).send({ password: plain.password, code: '123456' }).expect(409))
          .body,
      ).toEqual({ message: 'Second factor not enabled' });
    });
  });

  describe('what the account keeps and loses', () => {
    it('exports the factor without its secret or codes', async () => {
      const user = await twoStepUser();
      const body = (await t.http.get(EXPORT).auth(user.email, user.token).expect(200)).body;
      expect(body.second_factor).toEqual({
        totp: { status: 'enabled', created_at: expect.any(String), enabled_at: expect.any(String) },
        recovery_codes_left: 10,
      });
      const text = JSON.stringify(body);
      for (const secret of [user.secret, ...user.recoveryCodes]) expect(text).not.toContain(secret);
      const plain = await createActiveUser(t);
      expect((await t.http.get(EXPORT).auth(plain.email, plain.token).expect(200)).body.second_factor).toEqual({
        totp: null,
        recovery_codes_left: 0,
      });
    });

    it('erases the factor, its codes and pending logins with the account (20, with a code)', async () => {
      const user = await twoStepUser();
      const id = await userIdOf(user.email);
      await startLogin(t, user.email, user.password);
      await t.http.delete(USER).auth(user.email, user.password).set('X-Forwarded-For', newAddress()).expect(422);
      await t.http.delete(USER).auth(user.email, user.password).send({ code: user.recoveryCodes[0] }).expect(200);
      for (const table of ['totp_factors', 'recovery_codes', 'pending_logins']) {
        const [{ n }] = (await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?`, [id])) as { n: number }[];
        expect(Number(n), table).toBe(0);
      }
      // No recovery-code notice for an account that is gone: only the goodbye.
      await waitForMail(t.smtp, user.email, /account was deleted/);
      expect(t.smtp.mailsTo(user.email).some((mail) => /recovery code of your/.test(mailText(mail.raw)))).toBe(false);
    });

    it('prunes expired pending logins and secrets never confirmed, and keeps live ones', async () => {
      const user = await twoStepUser();
      const pendingUser = await createActiveUser(t);
      await t.http.post(TOTP).auth(pendingUser.email, pendingUser.token).send({ password: pendingUser.password }).expect(200);
      const live = await startLogin(t, user.email, user.password);
      await startLogin(t, user.email, user.password);
      const [userId, pendingId] = [await userIdOf(user.email), await userIdOf(pendingUser.email)];
      const [{ newest }] = (await t.dataSource.query('SELECT MAX(id) AS newest FROM pending_logins WHERE user_id = ?', [userId])) as {
        newest: number;
      }[];
      await t.dataSource.query('UPDATE pending_logins SET expires_at = 1 WHERE id = ?', [newest]);
      await t.dataSource.query('UPDATE totp_factors SET pending_expires_at = 1 WHERE user_id = ?', [pendingId]);
      const report = await t.app.get(HousekeepingService).runOnce();
      expect(report.pendingLogins).toBeGreaterThanOrEqual(1);
      expect(report.pendingTotpSecrets).toBeGreaterThanOrEqual(1);
      const count = async (sql: string, id: number) => Number(((await t.dataSource.query(sql, [id])) as { n: number }[])[0].n);
      expect(await count('SELECT COUNT(*) AS n FROM pending_logins WHERE user_id = ?', userId)).toBe(1);
      expect(await count('SELECT COUNT(*) AS n FROM totp_factors WHERE user_id = ?', pendingId)).toBe(0);
      expect(await count('SELECT COUNT(*) AS n FROM totp_factors WHERE user_id = ?', userId)).toBe(1);
      await finish(live, user.recoveryCodes[0]).expect(200);
    });

    it('keeps at most 20 pending logins per account: the oldest go', async () => {
      const user = await twoStepUser();
      const first = await startLogin(t, user.email, user.password);
      for (let i = 0; i < 20; i++) await startLogin(t, user.email, user.password);
      const [{ n }] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM pending_logins WHERE user_id = ?', [
        await userIdOf(user.email),
      ])) as { n: number }[];
      expect(Number(n)).toBe(20);
      expect((await finish(first, user.recoveryCodes[0]).expect(401)).body).toEqual(LOGIN_EXPIRED);
    });
  });
});

describe('two instances sharing one database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-two-step-'));
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = { DATA_DIR: dataDir, SECRET: randomBytes(32).toString('hex') };
    a = await startTestApp(env);
    b = await startTestApp(env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets one instance finish a login another began, and neither finish it twice', async () => {
    const user = await enableTwoStep(a, await createActiveUser(a));
    // Enrolled through A: B reads the sealed secret and asks for the second step too.
    await awayFromStepEdge();
    const mfaToken = await startLogin(b, user.email, user.password);
    const code = totpCode(user.secret);
    const [fromA, fromB] = await Promise.all([
      a.http.post(SECOND_FACTOR).send({ mfa_token: mfaToken, code }),
      b.http.post(SECOND_FACTOR).send({ mfa_token: mfaToken, code }),
    ]);
    // The later one finds the login finished (401) or its code used (422), depending on where it was.
    const statuses = [fromA.status, fromB.status];
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.find((status) => status !== 200)).toBeOneOf([401, 422]);
    const token = (fromA.status === 200 ? fromA : fromB).body.access_token as string;
    await a.http.get(VALIDATIONS).auth(user.email, token).expect(200);
    await b.http.get(VALIDATIONS).auth(user.email, token).expect(200);
    // The code used through one instance is refused by the other.
    await b.http
      .post(SECOND_FACTOR)
      .send({ mfa_token: await startLogin(b, user.email, user.password), code })
      .expect(422);
    // A recovery code, begun on A, finished on B.
    const next = await startLogin(a, user.email, user.password);
    await b.http.post(SECOND_FACTOR).send({ mfa_token: next, code: user.recoveryCodes[0] }).expect(200);
  });
});
