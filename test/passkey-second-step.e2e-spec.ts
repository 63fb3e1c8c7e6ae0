import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from './helpers/api-keys.js';
import { type CreationOptions, type RequestOptions, SoftwareAuthenticator } from './helpers/software-authenticator.js';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';
import { enableTwoStep, startLogin, totpCode, type TwoStepUser } from './helpers/totp.js';

const API = '/one_auth/api';
const ORIGIN = 'https://app.one-auth.test';
const OPTIONS = `${API}/passkeys/authentication/options`;
const PASSKEY_LOGIN = `${API}/access_tokens/passkey`;
const NOT_ACCEPTED = { message: 'Passkey not accepted' };
const LOGIN_EXPIRED = { message: 'Login expired' };

/**
 * Where the second factor and passkeys meet: a passkey as the second step
 * of a two-step login (4′ lists it, 31 with `mfa_token` finishes it), and
 * what operators see of both and remove (32, 33, 36).
 */
describe('a passkey as the second step of a two-step login', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ PASSKEY_ORIGINS: ORIGIN });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** An account with two-step login and one passkey, added before two-step login was turned on. */
  async function twoStepUserWithPasskey(): Promise<{ user: TwoStepUser; authenticator: SoftwareAuthenticator }> {
    const active = await createActiveUser(t);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const creation = await t.http
      .post(`${API}/passkeys/registration/options`)
      .auth(active.email, active.token)
      .send({ password: active.password })
      .expect(200);
    await t.http
      .post(`${API}/passkeys`)
      .auth(active.email, active.token)
      .send({ response: authenticator.create(creation.body as CreationOptions), name: 'Phone' })
      .expect(201);
    return { user: await enableTwoStep(t, active), authenticator };
  }

  async function passwordStep(user: TwoStepUser): Promise<{ mfaToken: string; methods: string[] }> {
    const response = await t.http.get(`${API}/access_tokens`).auth(user.email, user.password).expect(401);
    expect(response.body.message).toBe('Second factor required');
    return { mfaToken: response.body.mfa_token as string, methods: response.body.methods as string[] };
  }

  async function optionsFor(mfaToken: string): Promise<RequestOptions> {
    return (await t.http.post(OPTIONS).send({ mfa_token: mfaToken }).expect(200)).body as RequestOptions;
  }

  it('lists passkey among the methods only for an account that has one', async () => {
    const { user } = await twoStepUserWithPasskey();
    expect((await passwordStep(user)).methods).toEqual(['totp', 'recovery_code', 'passkey']);
    // startLogin itself expects exactly the two built-in methods for an account without a passkey.
    const plain = await enableTwoStep(t, await createActiveUser(t));
    expect(await startLogin(t, plain.email, plain.password)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("finishes the login with the account's passkey, once: options list only its passkeys, the token works", async () => {
    const { user, authenticator } = await twoStepUserWithPasskey();
    const { mfaToken } = await passwordStep(user);
    const options = await optionsFor(mfaToken);
    expect(options.allowCredentials.map((credential) => credential.id)).toEqual([authenticator.keys[0].credentialId.toString('base64url')]);
    const finished = await t.http
      .post(PASSKEY_LOGIN)
      .send({ response: authenticator.get(options), mfa_token: mfaToken })
      .expect(200);
    expect(finished.headers['cache-control']).toBe('no-store');
    expect(finished.body.user_profile.email).toBe(user.email);
    await t.http
      .get(`${API}/validations`)
      .auth(user.email, finished.body.access_token as string)
      .expect(200);
    // The login is over: neither another passkey response nor a TOTP code finishes it again.
    expect((await t.http.post(OPTIONS).send({ mfa_token: mfaToken }).expect(401)).body).toEqual(LOGIN_EXPIRED);
    const fresh = (await t.http.post(OPTIONS).send({}).expect(200)).body as RequestOptions;
    const again = await t.http
      .post(PASSKEY_LOGIN)
      .send({ response: authenticator.get({ ...fresh, allowCredentials: options.allowCredentials }), mfa_token: mfaToken })
      .expect(401);
    expect(again.body).toEqual(LOGIN_EXPIRED);
    await t.http
      .post(`${API}/access_tokens/second_factor`)
      .send({ mfa_token: mfaToken, code: totpCode(user.secret) })
      .expect(401);
  });

  it("refuses another account's passkey for this login, and that costs the login one of its attempts", async () => {
    const { user } = await twoStepUserWithPasskey();
    const other = await twoStepUserWithPasskey();
    const { mfaToken } = await passwordStep(user);
    const options = await optionsFor(mfaToken);
    // The other account's authenticator signs this login's challenge with its own credential.
    const foreign = other.authenticator.get({ ...options, allowCredentials: [] });
    expect((await t.http.post(PASSKEY_LOGIN).send({ response: foreign, mfa_token: mfaToken }).expect(401)).body).toEqual(NOT_ACCEPTED);
    const [row] = (await t.dataSource.query('SELECT attempts FROM pending_logins WHERE user_id = (SELECT id FROM users WHERE email = ?)', [
      user.email,
    ])) as { attempts: number | string }[];
    expect(Number(row.attempts)).toBe(1);
    // Recorded for the owner to see, just after the answer.
    let types: string[] = [];
    for (let tries = 0; tries < 50 && !types.includes('second_factor_failed'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const events = await t.http.get(`${API}/user/events`).auth(user.email, user.token).expect(200);
      types = (events.body.events as { type: string }[]).map((event) => event.type);
    }
    expect(types).toContain('second_factor_failed');
  });

  it('refuses a passkey response without a live mfa_token, and a discoverable challenge for a second step', async () => {
    const { user, authenticator } = await twoStepUserWithPasskey();
    expect(
      (
        await t.http
          .post(OPTIONS)
          .send({ mfa_token: 'x'.repeat(43) })
          .expect(401)
      ).body,
    ).toEqual(LOGIN_EXPIRED);
    const { mfaToken } = await passwordStep(user);
    // A challenge issued for a passwordless sign-in is not this login's.
    const discoverable = (await t.http.post(OPTIONS).send({}).expect(200)).body as RequestOptions;
    const options = await optionsFor(mfaToken);
    const response = authenticator.get({ ...discoverable, allowCredentials: options.allowCredentials });
    expect((await t.http.post(PASSKEY_LOGIN).send({ response, mfa_token: mfaToken }).expect(401)).body).toEqual(NOT_ACCEPTED);
    // With the login's own challenge it finishes.
    await t.http
      .post(PASSKEY_LOGIN)
      .send({ response: authenticator.get(options), mfa_token: mfaToken })
      .expect(200);
  });

  it('shows operators both factors, and 36 removes the authenticator app but keeps the passkey', async () => {
    const { user, authenticator } = await twoStepUserWithPasskey();
    const { key } = await createKey(t.app, 'users:read,users:write');
    const admin = `Bearer ${key}`;
    const listed = await t.http.get('/one_auth/admin/api/users').query({ email: user.email }).set('Authorization', admin).expect(200);
    expect(listed.body.users).toEqual([expect.objectContaining({ email: user.email, two_step: true, passkeys: 1 })]);
    const id = listed.body.users[0].id as string;
    const detail = await t.http.get(`/one_auth/admin/api/users/${id}`).set('Authorization', admin).expect(200);
    expect(detail.body).toMatchObject({ two_step: true, passkeys: 1, factors: { totp: true, passkeys: 1 } });

    await t.http.delete(`/one_auth/admin/api/users/${id}/second_factor`).set('Authorization', admin).expect(200);
    const after = await t.http.get(`/one_auth/admin/api/users/${id}`).set('Authorization', admin).expect(200);
    expect(after.body).toMatchObject({ two_step: false, passkeys: 1, factors: { totp: false, passkeys: 1 } });
    expect((after.body.events as { type: string }[]).map((event) => event.type)).toContain('second_factor_disabled');
    // The password alone logs in again; the passkey still signs in without one.
    const login = await t.http.get(`${API}/access_tokens`).auth(user.email, user.password).expect(200);
    expect(login.body.access_token).toEqual(expect.any(String));
    const options = (await t.http.post(OPTIONS).send({}).expect(200)).body as RequestOptions;
    await t.http
      .post(PASSKEY_LOGIN)
      .send({ response: authenticator.get(options) })
      .expect(200);
  });
});
