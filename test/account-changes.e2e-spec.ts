import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityEvents } from '../src/security-events/security-events.service.js';
import { mailText, waitForMail } from './helpers/mail-text.js';
import { createActiveUser, forgetLastCodeTime, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const CODE = '/one_auth/api/validation_code';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const PROFILE = '/one_auth/api/user/profile';
const PASSWORD_CHANGE = '/one_auth/api/user/password';
const EMAIL_CHANGE = '/one_auth/api/user/email';
const EVENTS = '/one_auth/api/user/events';
const NEW_PASSWORD = 'a brand new passphrase';
const WRONG_PASSWORD = { message: 'Password is not correct' };
const EMAIL_USED = { message: 'Email already used' };
const INVALID_CODE = { message: 'Invalid code' };
const BAD_TOKEN = { message: 'Email or token is not correct' };
const TOO_MANY_LOGINS = { message: 'Too many failed logins, please retry later' };
const CODE_SENT = { message: 'A code has been sent to the new address' };

let addressCounter = 0;
/** A client address of its own (the app trusts X-Forwarded-For): per-address limits start empty. */
const newAddress = () => `10.9.${(++addressCounter >> 8) & 255}.${addressCounter & 255}`;

describe('password and email change, activity (endpoints 17, 18, 19, 22)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true', LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '4/15m' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function login(email: string, password: string, address = newAddress()): Promise<string> {
    return (await t.http.get(TOKENS).auth(email, password).set('X-Forwarded-For', address).expect(200)).body.access_token as string;
  }

  async function eventTypes(email: string, token: string): Promise<string[]> {
    const response = await t.http.get(EVENTS).auth(email, token).expect(200);
    return (response.body.events as { type: string }[]).map((event) => event.type);
  }

  /** Starts an email change and answers the code mailed to the new address. */
  async function requestChange(
    user: { email: string; password: string; token: string },
    newEmail: string,
    nth = 1,
    typed = newEmail,
  ): Promise<string> {
    const response = await t.http.post(EMAIL_CHANGE).auth(user.email, user.token).send({ new_email: typed, password: user.password });
    expect(response.status).toBe(202);
    expect(response.body).toEqual(CODE_SENT);
    return t.smtp.waitForCode(newEmail, nth);
  }

  describe('PUT /user/password', () => {
    it('changes the password, keeps the calling session, signs out every other one and mails a notice', async () => {
      const user = await createActiveUser(t);
      const other = await login(user.email, user.password);
      const response = await t.http
        .put(PASSWORD_CHANGE)
        .auth(user.email, user.token)
        .set('User-Agent', 'Changer/1.0')
        .set('X-Forwarded-For', '198.51.100.77')
        .send({ password: user.password, new_password: NEW_PASSWORD })
        .expect(200);
      expect(response.body).toEqual({ message: 'Password changed' });
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
      expect((await t.http.get(VALIDATIONS).auth(user.email, other).expect(401)).body).toEqual(BAD_TOKEN);
      await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', newAddress()).expect(401);
      await login(user.email, NEW_PASSWORD);
      const notice = await waitForMail(t.smtp, user.email, /password was changed/);
      expect(notice).toContain(`The password of your one_auth account ${user.email} was changed.`);
      expect(notice).toMatch(/When: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      expect(notice).toContain('From: 198.51.100.77 ("Changer/1.0")');
      expect(notice).toContain('If it was not you');
      expect(notice).not.toContain(NEW_PASSWORD);
      expect(notice).not.toContain(user.password);
      expect(notice).not.toContain(user.token);
      // Newest first: the sign-in with the new password, the refused old one, then the change.
      expect((await eventTypes(user.email, user.token)).slice(0, 3)).toEqual(['sign_in', 'sign_in_failed', 'password_changed']);
    });

    it('answers 422 for a wrong current password and changes nothing', async () => {
      const user = await createActiveUser(t);
      const other = await login(user.email, user.password);
      const response = await t.http
        .put(PASSWORD_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', newAddress())
        .send({ password: 'not the password', new_password: NEW_PASSWORD })
        .expect(422);
      expect(response.body).toEqual(WRONG_PASSWORD);
      await t.http.get(VALIDATIONS).auth(user.email, other).expect(200);
      await login(user.email, user.password);
    });

    it.each([
      [{ new_password: NEW_PASSWORD }, 'password', 'password is required'],
      [{ password: 'x' }, 'new_password', 'new_password is required'],
      [{ password: 'x', new_password: 12345678 }, 'new_password', 'new_password must be a string'],
      [{ password: 'x', new_password: 'short' }, 'new_password', 'new_password must be at least 8 characters'],
      [{ password: 'x', new_password: 'password123' }, 'new_password', 'new_password is too common, please choose another'],
    ])('answers 400 naming the field for %j', async (body, field, message) => {
      const user = await createActiveUser(t);
      const response = await t.http.put(PASSWORD_CHANGE).auth(user.email, user.token).send(body).expect(400);
      expect(response.body).toEqual({ message, errors: [{ field, message }] });
      await login(user.email, user.password);
    });

    it('answers 401 without a valid token, even with the right password', async () => {
      const user = await createActiveUser(t);
      const body = { password: user.password, new_password: NEW_PASSWORD };
      expect((await t.http.put(PASSWORD_CHANGE).send(body).expect(401)).body).toEqual(BAD_TOKEN);
      expect((await t.http.put(PASSWORD_CHANGE).auth(user.email, user.password).send(body).expect(401)).body).toEqual(BAD_TOKEN);
      await login(user.email, user.password);
    });
  });

  describe('wrong passwords on 17, 18 and 20 share the login limits', () => {
    it('counts them toward the limit, and past it refuses logins and these endpoints with 429, even with the right password', async () => {
      const user = await createActiveUser(t);
      const address = newAddress();
      const wrong = 'not the password';
      await t.http
        .put(PASSWORD_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', address)
        .send({ password: wrong, new_password: NEW_PASSWORD })
        .expect(422);
      await t.http
        .post(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', address)
        .send({ new_email: uniqueEmail('limit'), password: wrong })
        .expect(422);
      await t.http.delete(USER).auth(user.email, wrong).set('X-Forwarded-For', address).expect(401);
      await t.http.get(TOKENS).auth(user.email, wrong).set('X-Forwarded-For', address).expect(401);
      // Four failures from this address (the limit here): the fifth attempt of any kind is refused.
      const login429 = await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', address).expect(429);
      expect(login429.body).toEqual(TOO_MANY_LOGINS);
      expect(Number(login429.headers['retry-after'])).toBeGreaterThan(0);
      const change429 = await t.http
        .put(PASSWORD_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', address)
        .send({ password: user.password, new_password: NEW_PASSWORD })
        .expect(429);
      expect(change429.body).toEqual(TOO_MANY_LOGINS);
      await t.http
        .post(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', address)
        .send({ new_email: uniqueEmail('limit'), password: user.password })
        .expect(429);
      await t.http.delete(USER).auth(user.email, user.password).set('X-Forwarded-For', address).expect(429);
      // The account is still there and usable from elsewhere.
      await login(user.email, user.password);
    });

    it('stops a guesser who holds a token from trying passwords on 17 alone', async () => {
      const user = await createActiveUser(t);
      const address = newAddress();
      for (let i = 0; i < 4; i++) {
        await t.http
          .put(PASSWORD_CHANGE)
          .auth(user.email, user.token)
          .set('X-Forwarded-For', address)
          .send({ password: `guess-${i}`, new_password: NEW_PASSWORD })
          .expect(422);
      }
      const blocked = await t.http
        .put(PASSWORD_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', address)
        .send({ password: user.password, new_password: NEW_PASSWORD })
        .expect(429);
      expect(blocked.body).toEqual(TOO_MANY_LOGINS);
      await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', address).expect(429);
    });
  });

  describe('POST and PUT /user/email', () => {
    it('moves the account to the new address with a code mailed there; sessions stay; the old address is told', async () => {
      const user = await createActiveUser(t);
      await t.http.put(PROFILE).auth(user.email, user.token).send({ first_name: 'Jo', country: 'Peru' }).expect(200);
      const other = await login(user.email, user.password);
      const newEmail = uniqueEmail('moved');
      const code = await requestChange(user, newEmail, 1, ` ${newEmail.toUpperCase()} `);
      const codeMail = mailText(t.smtp.mailsTo(newEmail)[0].raw);
      expect(codeMail).toContain('It confirms this address as the new email of a one_auth account.');
      const response = await t.http
        .put(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', '198.51.100.78')
        .send({ new_email: newEmail, validation_code: code })
        .expect(200);
      expect(response.body).toEqual({
        first_name: 'Jo',
        last_name: '',
        country: 'Peru',
        department: '',
        avatar: '',
        access_token: user.token,
        email: newEmail,
      });
      expect(Object.keys(response.body)).toEqual(['first_name', 'last_name', 'country', 'department', 'avatar', 'access_token', 'email']);
      // Basic email:token now takes the new address; both sessions still work.
      expect((await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401)).body).toEqual(BAD_TOKEN);
      expect((await t.http.get(VALIDATIONS).auth(newEmail, user.token).expect(200)).body.email).toBe(newEmail);
      await t.http.get(VALIDATIONS).auth(newEmail, other).expect(200);
      await login(newEmail, user.password);
      await t.http.get(TOKENS).auth(user.email, user.password).set('X-Forwarded-For', newAddress()).expect(401);
      const notice = await waitForMail(t.smtp, user.email, /email of your one_auth account was changed/);
      expect(notice).toContain(`Your one_auth account ${user.email} now signs in with the address ${newEmail}.`);
      expect(notice).toContain('From: 198.51.100.78');
      expect(notice).not.toContain(code);
      expect((await eventTypes(newEmail, user.token)).slice(0, 2)).toEqual(['sign_in', 'email_changed']);
      // The old address is free for someone else.
      await t.http.post(USER).send({ email: user.email }).expect(201);
    });

    it('answers 422 for a wrong password and mails nothing', async () => {
      const user = await createActiveUser(t);
      const newEmail = uniqueEmail('nomail');
      const response = await t.http
        .post(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .set('X-Forwarded-For', newAddress())
        .send({ new_email: newEmail, password: 'not the password' })
        .expect(422);
      expect(response.body).toEqual(WRONG_PASSWORD);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(t.smtp.mailsTo(newEmail)).toHaveLength(0);
    });

    it("answers 422 Email already used for another active account's address, and for its own", async () => {
      const user = await createActiveUser(t);
      const taken = await createActiveUser(t);
      for (const newEmail of [taken.email, taken.email.toUpperCase(), user.email]) {
        const response = await t.http
          .post(EMAIL_CHANGE)
          .auth(user.email, user.token)
          .send({ new_email: newEmail, password: user.password })
          .expect(422);
        expect(response.body).toEqual(EMAIL_USED);
      }
    });

    it('checks the address again when the code is used: taken meanwhile, it is 422 Email already used', async () => {
      const user = await createActiveUser(t);
      const newEmail = uniqueEmail('taken-later');
      const code = await requestChange(user, newEmail);
      // Someone registers and activates the address meanwhile (its own code is the second mail there).
      await t.http.post(USER).send({ email: newEmail }).expect(201);
      const ownCode = await t.smtp.waitForCode(newEmail, 2);
      await t.http.put(USER).send({ email: newEmail, validation_code: ownCode, password: 'their own passphrase' }).expect(200);
      const response = await t.http
        .put(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .send({ new_email: newEmail, validation_code: code })
        .expect(422);
      expect(response.body).toEqual(EMAIL_USED);
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    });

    it('takes an address held by an account that was never activated', async () => {
      const user = await createActiveUser(t);
      const newEmail = uniqueEmail('pending');
      await t.http.post(USER).send({ email: newEmail }).expect(201);
      await t.smtp.waitForCode(newEmail);
      const code = await requestChange(user, newEmail, 2);
      await t.http.put(EMAIL_CHANGE).auth(user.email, user.token).send({ new_email: newEmail, validation_code: code }).expect(200);
      await t.http.get(VALIDATIONS).auth(newEmail, user.token).expect(200);
    });

    it('answers 422 Invalid code for a wrong code, and for a right code with another address', async () => {
      const user = await createActiveUser(t);
      const newEmail = uniqueEmail('wrongcode');
      const code = await requestChange(user, newEmail);
      const wrong = code === '000000' ? '000001' : '000000';
      const calls = [
        { new_email: newEmail, validation_code: wrong },
        { new_email: uniqueEmail('elsewhere'), validation_code: code },
        { new_email: newEmail, validation_code: 'abc' },
      ];
      for (const body of calls) {
        const response = await t.http.put(EMAIL_CHANGE).auth(user.email, user.token).send(body).expect(422);
        expect(response.body).toEqual(INVALID_CODE);
      }
      // Still the right code for the right address (3 failures of 5 so far).
      await t.http.put(EMAIL_CHANGE).auth(user.email, user.token).send({ new_email: newEmail, validation_code: code }).expect(200);
      // Used up.
      const again = await t.http
        .put(EMAIL_CHANGE)
        .auth(newEmail, user.token)
        .send({ new_email: newEmail, validation_code: code })
        .expect(422);
      expect(again.body).toEqual(INVALID_CODE);
    });

    it.each([
      [EMAIL_CHANGE, 'post', { password: 'x' }, 'new_email', 'new_email is required'],
      [EMAIL_CHANGE, 'post', { new_email: 'not-an-email', password: 'x' }, 'new_email', 'new_email must be a valid email'],
      [EMAIL_CHANGE, 'post', { new_email: 'a@b.co' }, 'password', 'password is required'],
      [EMAIL_CHANGE, 'put', { new_email: 'a@b.co' }, 'validation_code', 'validation_code is required'],
      [EMAIL_CHANGE, 'put', { validation_code: '123456' }, 'new_email', 'new_email is required'],
    ] as const)('answers 400 naming the field (%s %s %j)', async (path, method, body, field, message) => {
      const user = await createActiveUser(t);
      const response = await t.http[method](path).auth(user.email, user.token).send(body).expect(400);
      expect(response.body).toEqual({ message, errors: [{ field, message }] });
    });

    it('answers 401 without a valid token', async () => {
      const user = await createActiveUser(t);
      const post = await t.http
        .post(EMAIL_CHANGE)
        .auth(user.email, user.password)
        .send({ new_email: uniqueEmail(), password: user.password });
      expect(post.status).toBe(401);
      expect(post.body).toEqual(BAD_TOKEN);
      const put = await t.http.put(EMAIL_CHANGE).send({ new_email: uniqueEmail(), validation_code: '123456' });
      expect(put.status).toBe(401);
      expect(put.body).toEqual(BAD_TOKEN);
    });

    it('of two accounts racing for one new address, exactly one wins and the other gets 422, never 500', async () => {
      const alice = await createActiveUser(t);
      const bob = await createActiveUser(t);
      const contested = uniqueEmail('contested');
      const aliceCode = await requestChange(alice, contested, 1);
      const bobCode = await requestChange(bob, contested, 2);
      const [a, b] = await Promise.all([
        t.http.put(EMAIL_CHANGE).auth(alice.email, alice.token).send({ new_email: contested, validation_code: aliceCode }),
        t.http.put(EMAIL_CHANGE).auth(bob.email, bob.token).send({ new_email: contested, validation_code: bobCode }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 422]);
      const loser = a.status === 422 ? a : b;
      expect(loser.body).toEqual(EMAIL_USED);
      const [{ count }] = await t.dataSource.query('SELECT COUNT(*) AS count FROM users WHERE email = ?', [contested]);
      expect(Number(count)).toBe(1);
    });
  });

  describe('codes are bound to their purpose', () => {
    it('an email-change code neither activates, resets nor passes the code check', async () => {
      const user = await createActiveUser(t);
      // The new address has an account that was never activated: the mailbox's owner holds the change code.
      const newEmail = uniqueEmail('purpose');
      await t.http.post(USER).send({ email: newEmail }).expect(201);
      await t.smtp.waitForCode(newEmail);
      const changeCode = await requestChange(user, newEmail, 2);
      for (const email of [newEmail, user.email]) {
        const reset = await t.http.put(USER).send({ email, validation_code: changeCode, password: NEW_PASSWORD });
        expect(reset.status).toBe(422);
        expect(reset.body).toEqual(INVALID_CODE);
        expect((await t.http.put(CODE).send({ email, validation_code: changeCode }).expect(422)).body).toEqual(INVALID_CODE);
      }
      await login(user.email, user.password);
    });

    it('a reset code does not change the email', async () => {
      const user = await createActiveUser(t);
      await forgetLastCodeTime(t, user.email);
      await t.http.post(CODE).send({ email: user.email }).expect(202);
      const resetCode = await t.smtp.waitForCode(user.email, 2);
      const response = await t.http
        .put(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .send({ new_email: user.email.replace('@', '-x@'), validation_code: resetCode })
        .expect(422);
      expect(response.body).toEqual(INVALID_CODE);
      // The reset code still resets: it was not spent by the refused attempt.
      await t.http.put(USER).send({ email: user.email, validation_code: resetCode, password: NEW_PASSWORD }).expect(200);
    });

    it('an email change shares the code limits: past 20 wrong codes an hour, 429', async () => {
      const user = await createActiveUser(t);
      const newEmail = uniqueEmail('codelimit');
      let code = await requestChange(user, newEmail);
      let failures = 0;
      for (let round = 2; failures < 20; round++) {
        for (let i = 0; i < 5 && failures < 20; i++, failures++) {
          const wrong = code === '000000' ? '000001' : '000000';
          await t.http.put(EMAIL_CHANGE).auth(user.email, user.token).send({ new_email: newEmail, validation_code: wrong }).expect(422);
        }
        await forgetLastCodeTime(t, user.email);
        code = await requestChange(user, newEmail, round);
      }
      const blocked = await t.http
        .put(EMAIL_CHANGE)
        .auth(user.email, user.token)
        .send({ new_email: newEmail, validation_code: code })
        .expect(429);
      expect(blocked.body).toEqual({ message: 'Too many wrong codes, please retry later' });
    });
  });

  describe('GET /user/events', () => {
    it('lists what happened, newest first, with address and user agent, and no secret', async () => {
      const email = uniqueEmail('events');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const token = (
        await t.http
          .put(USER)
          .set('User-Agent', 'Setter/1.0')
          .set('X-Forwarded-For', '198.51.100.10')
          .send({ email, validation_code: code, password: 'correct horse battery staple' })
          .expect(200)
      ).body.access_token as string;
      await t.http
        .get(TOKENS)
        .auth(email, 'wrong password')
        .set('User-Agent', 'Guesser/1.0')
        .set('X-Forwarded-For', '198.51.100.11')
        .expect(401);
      const second = (
        await t.http
          .get(TOKENS)
          .auth(email, 'correct horse battery staple')
          .set('User-Agent', 'Phone/1.0')
          .set('X-Forwarded-For', '198.51.100.12')
          .expect(200)
      ).body.access_token as string;
      await t.http.delete(TOKENS).auth(email, second).set('X-Forwarded-For', '198.51.100.13').expect(200);
      // The failed sign-in is written after its answer: wait for it.
      let events: { type: string; at: string; client_address: string; user_agent: string }[] = [];
      for (let i = 0; i < 50 && events.length < 4; i++) {
        const response = await t.http.get(EVENTS).auth(email, token).expect(200);
        expect(response.headers['cache-control']).toBe('no-store');
        events = response.body.events;
        if (events.length < 4) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(events.map((event) => [event.type, event.client_address])).toEqual([
        ['logout', '198.51.100.13'],
        ['sign_in', '198.51.100.12'],
        ['sign_in_failed', '198.51.100.11'],
        ['password_set', '198.51.100.10'],
      ]);
      expect(events.map((event) => event.user_agent).slice(1)).toEqual(['Phone/1.0', 'Guesser/1.0', 'Setter/1.0']);
      for (const event of events) {
        expect(Object.keys(event).sort()).toEqual(['at', 'client_address', 'type', 'user_agent']);
        expect(Date.parse(event.at)).toBeGreaterThan(Date.now() - 60_000);
      }
      const times = events.map((event) => Date.parse(event.at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      const body = JSON.stringify(events);
      for (const secret of [token, second, code, 'correct horse battery staple', 'wrong password']) expect(body).not.toContain(secret);
    });

    it('shows the last 100 only, and only the caller’s', async () => {
      const user = await createActiveUser(t);
      const other = await createActiveUser(t);
      const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [user.email]);
      const base = Date.now() - 3_600_000;
      for (let i = 0; i < 120; i++) {
        await t.dataSource.query('INSERT INTO security_events (user_id, type, at, client_address, user_agent) VALUES (?, ?, ?, ?, ?)', [
          id,
          'sign_in',
          base + i * 1000,
          `192.0.2.${i}`,
          'Bulk/1.0',
        ]);
      }
      const events = (await t.http.get(EVENTS).auth(user.email, user.token).expect(200)).body.events as { client_address: string }[];
      expect(events).toHaveLength(100);
      // Newest first: the activation of the account, then the inserted ones from the last down.
      expect(events[1].client_address).toBe('192.0.2.119');
      expect(events[99].client_address).toBe('192.0.2.21');
      const others = (await t.http.get(EVENTS).auth(other.email, other.token).expect(200)).body.events as { type: string }[];
      expect(others.map((event) => event.type)).toEqual(['password_set']);
      expect((await t.http.get(EVENTS).expect(401)).body).toEqual(BAD_TOKEN);
    });

    it('prunes events past SECURITY_EVENT_RETENTION (90 days) and keeps the rest', async () => {
      const user = await createActiveUser(t);
      const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [user.email]);
      const day = 86_400_000;
      for (const [age, address] of [
        [91 * day, '192.0.2.91'],
        [89 * day, '192.0.2.89'],
      ] as const) {
        await t.dataSource.query('INSERT INTO security_events (user_id, type, at, client_address, user_agent) VALUES (?, ?, ?, ?, ?)', [
          id,
          'sign_in',
          Date.now() - age,
          address,
          '',
        ]);
      }
      expect(await t.app.get(SecurityEvents).prune()).toBeGreaterThanOrEqual(1);
      const events = (await t.http.get(EVENTS).auth(user.email, user.token).expect(200)).body.events as { client_address: string }[];
      expect(events.map((event) => event.client_address)).toContain('192.0.2.89');
      expect(events.map((event) => event.client_address)).not.toContain('192.0.2.91');
    });
  });
});
