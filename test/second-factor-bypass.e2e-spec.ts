import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, forgetLastCodeTime, startTestApp, type TestApp } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, startLogin, totpCode, type TwoStepUser } from './helpers/totp.js';

const TOKENS = '/one_auth/api/access_tokens';
const SECOND_FACTOR = '/one_auth/api/access_tokens/second_factor';
const USER = '/one_auth/api/user';
const CODE = '/one_auth/api/validation_code';
const PASSWORD_CHANGE = '/one_auth/api/user/password';
const EMAIL_CHANGE = '/one_auth/api/user/email';
const TOTP = '/one_auth/api/user/totp';
const RECOVERY_CODES = '/one_auth/api/user/recovery_codes';
const VALIDATIONS = '/one_auth/api/validations';
const INVALID_CODE = { message: 'Invalid code' };
const SECOND_FACTOR_REQUIRED = { message: 'Second factor required' };
const LOGIN_EXPIRED = { message: 'Login expired' };
const NEW_PASSWORD = 'a brand new passphrase';

let addressCounter = 0;
const newAddress = () => `10.24.${(++addressCounter >> 8) & 255}.${addressCounter & 255}`;

/**
 * Every way to a full token or to changed credentials, walked for an account
 * with two-step login: each must ask for the second factor, or refuse, and a
 * refusal must change nothing. A path added to the API that yields a token
 * or changes a credential belongs in this list.
 *
 *  1. GET /access_tokens with the password                → 401 + mfa_token, never a token
 *  2. POST /access_tokens/second_factor                    → only with a right code, for that account's live mfa_token
 *  3. PUT /user with a mailed code (reset)                 → also needs `code`; refused without using the mailed code up
 *  4. PUT /user with an old activation code (replay)       → Invalid code
 *  5. POST /user (register the address again)              → Email already used
 *  6. PUT /user/password (17), POST /user/email (18)       → also need `code`
 *  7. DELETE /user (20)                                    → also needs `code`
 *  8. DELETE /user/totp (26), POST /user/recovery_codes (27), POST /user/totp (24) → code / 409
 *  9. sessions opened before two-step login was on         → signed out when it was turned on (25)
 * 10. an mfa_token used as an access token                 → 401
 */
describe('no way around the second factor', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function twoStepUser(): Promise<TwoStepUser & { before: string }> {
    const user = await createActiveUser(t);
    const before = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
    return { ...(await enableTwoStep(t, user)), before };
  }

  function finish(mfaToken: string, code: string) {
    return t.http.post(SECOND_FACTOR).set('X-Forwarded-For', newAddress()).send({ mfa_token: mfaToken, code });
  }

  /** The password still logs in up to the second step, and no further: it was not changed. */
  async function passwordUnchanged(user: { email: string; password: string }): Promise<void> {
    await startLogin(t, user.email, user.password, newAddress());
    await t.http.get(TOKENS).auth(user.email, NEW_PASSWORD).set('X-Forwarded-For', newAddress()).expect(401);
  }

  /** Asks for a code by mail (9) and answers it, once it has come. */
  async function mailedCode(email: string): Promise<string> {
    const codeMails = () => t.smtp.mailsTo(email).filter((mail) => /validation code is \d{6}/.test(mail.raw));
    const before = codeMails().length;
    await forgetLastCodeTime(t, email);
    await t.http.post(CODE).send({ email }).expect(202);
    for (let i = 0; i < 500 && codeMails().length === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const mail = codeMails()[before];
    if (!mail) throw new Error(`no code mailed to ${email}`);
    return /validation code is (\d{6})/.exec(mail.raw)![1];
  }

  it('1, 10: the password alone yields an mfa_token, which is no access token', async () => {
    const user = await twoStepUser();
    const response = await t.http.get(TOKENS).auth(user.email, user.password).expect(401);
    expect(response.body.access_token).toBeUndefined();
    expect(response.body.message).toBe('Second factor required');
    const mfaToken = response.body.mfa_token as string;
    await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${mfaToken}`).expect(401);
    await t.http.get(VALIDATIONS).auth(user.email, mfaToken).expect(401);
    await t.http.get('/one_auth/api/user/profile').auth(user.email, mfaToken).expect(401);
  });

  it("2: an mfa_token finishes only its own account's login, once, while live", async () => {
    const alice = await twoStepUser();
    const bob = await twoStepUser();
    const bobsLogin = await startLogin(t, bob.email, bob.password);
    // Alice's codes do not finish Bob's login, whatever she holds.
    await awayFromStepEdge();
    await finish(bobsLogin, alice.recoveryCodes[0]).expect(422);
    await finish(bobsLogin, totpCode(alice.secret)).expect(422);
    // Bob's right code finishes it: the token is Bob's, not Alice's.
    const token = (await finish(bobsLogin, bob.recoveryCodes[0]).expect(200)).body.access_token as string;
    await t.http.get(VALIDATIONS).auth(alice.email, token).expect(401);
    await t.http.get(VALIDATIONS).auth(bob.email, token).expect(200);
    // Used: never again, even with another right code.
    expect((await finish(bobsLogin, bob.recoveryCodes[1]).expect(401)).body).toEqual(LOGIN_EXPIRED);
    // Stale: dead after five minutes.
    const stale = await startLogin(t, bob.email, bob.password);
    await t.dataSource.query('UPDATE pending_logins SET expires_at = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)', [
      Date.now() - 1,
      bob.email,
    ]);
    expect((await finish(stale, bob.recoveryCodes[1]).expect(401)).body).toEqual(LOGIN_EXPIRED);
    // A login that was pending when the password changed is abandoned with it.
    const pending = await startLogin(t, bob.email, bob.password);
    await t.http
      .put(PASSWORD_CHANGE)
      .auth(bob.email, bob.token)
      .send({ password: bob.password, new_password: NEW_PASSWORD, code: bob.recoveryCodes[2] })
      .expect(200);
    expect((await finish(pending, bob.recoveryCodes[3]).expect(401)).body).toEqual(LOGIN_EXPIRED);
  });

  it('3: a password reset by mailed code needs the second factor, and a refusal uses nothing up', async () => {
    const user = await twoStepUser();
    const code = await mailedCode(user.email);
    const without = await t.http.put(USER).send({ email: user.email, validation_code: code, password: NEW_PASSWORD }).expect(422);
    expect(without.body).toEqual(SECOND_FACTOR_REQUIRED);
    const wrong = await t.http
      .put(USER)
      .set('X-Forwarded-For', newAddress())
      .send({ email: user.email, validation_code: code, password: NEW_PASSWORD, code: '000000' })
      .expect(422);
    expect(wrong.body).toEqual(INVALID_CODE);
    // Nothing changed: the mailed code is still good, the password and every session too.
    await t.http.put(CODE).send({ email: user.email, validation_code: code }).expect(200);
    await passwordUnchanged(user);
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    // With a right code, the reset goes through (and signs everything out, as any reset does).
    const reset = await t.http
      .put(USER)
      .send({ email: user.email, validation_code: code, password: NEW_PASSWORD, code: user.recoveryCodes[0] })
      .expect(200);
    expect(reset.body).toEqual({ email: user.email, status: 'active', access_token: expect.any(String) });
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
    // Two-step login is still on after the reset: the new password alone is not enough either.
    await startLogin(t, user.email, NEW_PASSWORD);
    // The recovery code went with the reset.
    const again = await mailedCode(user.email);
    await t.http
      .put(USER)
      .set('X-Forwarded-For', newAddress())
      .send({ email: user.email, validation_code: again, password: user.password, code: user.recoveryCodes[0] })
      .expect(422);
  });

  it('3: a wrong mailed code is refused before the second factor is even mentioned', async () => {
    const user = await twoStepUser();
    const code = await mailedCode(user.email);
    const wrong = code === '000000' ? '111111' : '000000';
    const response = await t.http.put(USER).send({ email: user.email, validation_code: wrong, password: NEW_PASSWORD }).expect(422);
    expect(response.body).toEqual(INVALID_CODE);
  });

  it('4, 5: the activation code cannot be replayed, nor the address registered again', async () => {
    const user = await twoStepUser();
    const activation = await t.smtp.waitForCode(user.email, 1);
    const replay = await t.http
      .put(USER)
      .send({ email: user.email, validation_code: activation, password: NEW_PASSWORD, code: user.recoveryCodes[0] })
      .expect(422);
    expect(replay.body).toEqual(INVALID_CODE);
    expect((await t.http.post(USER).send({ email: user.email }).expect(422)).body).toEqual({ message: 'Email already used' });
    await passwordUnchanged(user);
  });

  it('6: password and email change need a code; without one nothing changes', async () => {
    const user = await twoStepUser();
    for (const code of [undefined, '000000', 'aaaa-bbbb-cccc']) {
      const changed = await t.http
        .put(PASSWORD_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', newAddress())
        .send({ password: user.password, new_password: NEW_PASSWORD, ...(code ? { code } : {}) })
        .expect(422);
      expect(changed.body).toEqual(INVALID_CODE);
      const moved = await t.http
        .post(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', newAddress())
        .send({ new_email: `moved-${Date.now()}@example.com`, password: user.password, ...(code ? { code } : {}) })
        .expect(422);
      expect(moved.body).toEqual(INVALID_CODE);
    }
    await passwordUnchanged(user);
    await t.http.get(VALIDATIONS).auth(user.email, user.before).expect(401);
    // With codes: each goes through, and a code is good for one change only.
    await awayFromStepEdge();
    const totp = totpCode(user.secret);
    const newEmail = `moved-${Date.now()}@example.com`;
    await t.http
      .post(EMAIL_CHANGE)
      .auth(user.email, user.token)
      .send({ new_email: newEmail, password: user.password, code: totp })
      .expect(202);
    await t.http
      .put(PASSWORD_CHANGE)
      .auth(user.email, user.token)
      .set('X-Forwarded-For', newAddress())
      .send({ password: user.password, new_password: NEW_PASSWORD, code: totp })
      .expect(422);
    await t.http
      .put(PASSWORD_CHANGE)
      .auth(user.email, user.token)
      .send({ password: user.password, new_password: NEW_PASSWORD, code: user.recoveryCodes[5] })
      .expect(200);
  });

  it('7: deleting the account needs a code; the password alone deletes nothing', async () => {
    const user = await twoStepUser();
    for (const body of [undefined, { code: '000000' }, { code: 'aaaa-bbbb-cccc' }]) {
      const request = t.http.delete(USER).auth(user.email, user.password).set('X-Forwarded-For', newAddress());
      const response = await (body ? request.send(body) : request).expect(422);
      expect(response.body).toEqual(INVALID_CODE);
    }
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    expect((await t.http.delete(USER).auth(user.email, user.password).send({ code: 5 }).expect(400)).body.message).toBe(
      'code must be a string',
    );
    await t.http.delete(USER).auth(user.email, user.password).send({ code: user.recoveryCodes[0] }).expect(200);
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
  });

  it('8: the factor cannot be turned off, renewed or replaced with a token and the password alone', async () => {
    const user = await twoStepUser();
    const off = await t.http.delete(TOTP).auth(user.email, user.token).send({ password: user.password }).expect(422);
    expect(off.body).toEqual(INVALID_CODE);
    const renewed = await t.http.post(RECOVERY_CODES).auth(user.email, user.token).send({ password: user.password }).expect(422);
    expect(renewed.body).toEqual(INVALID_CODE);
    await t.http.post(TOTP).auth(user.email, user.token).send({ password: user.password }).expect(409);
    // Still on, with the same codes.
    await finish(await startLogin(t, user.email, user.password), user.recoveryCodes[0]).expect(200);
  });

  it('9: sessions opened with the password alone are signed out when two-step login is turned on', async () => {
    const user = await twoStepUser();
    expect((await t.http.get(VALIDATIONS).auth(user.email, user.before).expect(401)).body).toEqual({
      message: 'Email or token is not correct',
    });
    await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${user.before}`).expect(401);
    // The session that turned it on is the one kept.
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
  });

  it('an account without two-step login is not asked for a code anywhere', async () => {
    const user = await createActiveUser(t);
    await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
    await t.http
      .put(PASSWORD_CHANGE)
      .auth(user.email, user.token)
      .send({ password: user.password, new_password: NEW_PASSWORD })
      .expect(200);
    const code = await mailedCode(user.email);
    await t.http.put(USER).send({ email: user.email, validation_code: code, password: user.password }).expect(200);
    await t.http.delete(USER).auth(user.email, user.password).expect(200);
  });
});
