import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, forgetLastCodeTime, PASSWORD, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const CODE = '/one_auth/api/validation_code';

describe('registration, codes and passwords (endpoints 1, 2, 3, 9)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /user', () => {
    it('creates an inactive account and mails a 6-digit code', async () => {
      const email = uniqueEmail('reg');
      const response = await t.http.post(USER).send({ email }).expect(201);
      expect(response.body).toEqual({ email, status: 'deactived' });
      expect(await t.smtp.waitForCode(email)).toMatch(/^\d{6}$/);
    });

    it('trims and lower-cases the email: Foo@X.com and foo@x.com are one account', async () => {
      const email = uniqueEmail('case');
      const shouted = `  ${email.toUpperCase()} `;
      const response = await t.http.post(USER).send({ email: shouted }).expect(201);
      expect(response.body).toEqual({ email, status: 'deactived' });
      const code = await t.smtp.waitForCode(email);
      await t.http.put(USER).send({ email: shouted, validation_code: code, password: PASSWORD }).expect(200);
      const again = await t.http.post(USER).send({ email }).expect(422);
      expect(again.body).toEqual({ message: 'Email already used' });
    });

    it('answers 422 "Email already used" for an active account and sends nothing', async () => {
      const { email } = await createActiveUser(t);
      const before = t.smtp.mailsTo(email).length;
      const response = await t.http.post(USER).send({ email }).expect(422);
      expect(response.body).toEqual({ message: 'Email already used' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(t.smtp.mailsTo(email)).toHaveLength(before);
    });

    it('within a minute of the last code answers 201 again and keeps that code without mailing', async () => {
      const email = uniqueEmail('repeat');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const response = await t.http.post(USER).send({ email }).expect(201);
      expect(response.body).toEqual({ email, status: 'deactived' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(t.smtp.mailsTo(email)).toHaveLength(1);
      await t.http.put(CODE).send({ email, validation_code: code }).expect(200);
    });

    it('after a minute sends a fresh code and the old one stops working', async () => {
      const email = uniqueEmail('fresh');
      await t.http.post(USER).send({ email }).expect(201);
      const first = await t.smtp.waitForCode(email, 1);
      await forgetLastCodeTime(t, email);
      await t.http.post(USER).send({ email }).expect(201);
      const second = await t.smtp.waitForCode(email, 2);
      if (first !== second) {
        const old = await t.http.put(CODE).send({ email, validation_code: first }).expect(422);
        expect(old.body).toEqual({ message: 'Invalid code' });
      }
      await t.http.put(CODE).send({ email, validation_code: second }).expect(200);
    });

    it('refuses a sixth code within the hour with 429 and Retry-After', async () => {
      const email = uniqueEmail('limit');
      for (let sent = 1; sent <= 5; sent++) {
        await t.http.post(USER).send({ email }).expect(201);
        await t.smtp.waitForCode(email, sent);
        await forgetLastCodeTime(t, email);
      }
      const response = await t.http.post(USER).send({ email }).expect(429);
      expect(response.body).toEqual({ message: 'Too many codes requested, please retry later' });
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3000);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(t.smtp.mailsTo(email)).toHaveLength(5);
    });

    it.each([
      [{}, 'email is required'],
      [{ email: null }, 'email is required'],
      [{ email: 'not-an-email' }, 'email must be a valid email'],
      [{ email: '' }, 'email must be a valid email'],
      [{ email: 42 }, 'email must be a valid email'],
      [{ email: `${'a'.repeat(250)}@example.com` }, 'email must be at most 254 characters'],
    ])('answers 400 naming the field for %j', async (body, message) => {
      const response = await t.http.post(USER).send(body).expect(400);
      expect(response.body).toEqual({ message, errors: [{ field: 'email', message }] });
    });

    it('ignores unknown fields instead of storing them', async () => {
      const email = uniqueEmail('mass');
      const response = await t.http.post(USER).send({ email, status: 'active', password_hash: 'x', first_name: 'Eve' }).expect(201);
      expect(response.body).toEqual({ email, status: 'deactived' });
      const [row] = await t.dataSource.query(
        'SELECT u.status, u.password_hash, p.first_name FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.email = ?',
        [email],
      );
      expect(row).toEqual({ status: 'deactived', password_hash: null, first_name: null });
    });
  });

  describe('PUT /validation_code', () => {
    it('answers 200 "Valid code" and does not consume the code', async () => {
      const email = uniqueEmail('check');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      for (let i = 0; i < 2; i++) {
        const response = await t.http.put(CODE).send({ email, validation_code: code }).expect(200);
        expect(response.body).toEqual({ message: 'Valid code' });
      }
      await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(200);
    });

    it('answers 422 "Invalid code" for a wrong code, an unknown user, a used code and an expired one', async () => {
      const email = uniqueEmail('invalid');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const wrong = code === '000000' ? '000001' : '000000';
      const cases = [
        { email, validation_code: wrong },
        { email, validation_code: 'abcdef' },
        { email: uniqueEmail('nobody'), validation_code: code },
      ];
      for (const body of cases) {
        const response = await t.http.put(CODE).send(body).expect(422);
        expect(response.body).toEqual({ message: 'Invalid code' });
      }
      await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(200);
      const used = await t.http.put(CODE).send({ email, validation_code: code }).expect(422);
      expect(used.body).toEqual({ message: 'Invalid code' });

      const expiring = uniqueEmail('expired');
      await t.http.post(USER).send({ email: expiring }).expect(201);
      const late = await t.smtp.waitForCode(expiring);
      await t.dataSource.query('UPDATE validation_codes SET expires_at = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)', [
        Date.now() - 1,
        expiring,
      ]);
      const expired = await t.http.put(CODE).send({ email: expiring, validation_code: late }).expect(422);
      expect(expired.body).toEqual({ message: 'Invalid code' });
    });

    it('kills a code after five wrong attempts', async () => {
      const email = uniqueEmail('five');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const wrong = code === '111111' ? '222222' : '111111';
      for (let i = 0; i < 5; i++) await t.http.put(CODE).send({ email, validation_code: wrong }).expect(422);
      await t.http.put(CODE).send({ email, validation_code: code }).expect(422);
      await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(422);
    });

    it('answers 400 for a missing field', async () => {
      const response = await t.http.put(CODE).send({ email: uniqueEmail() }).expect(400);
      expect(response.body).toEqual({
        message: 'validation_code is required',
        errors: [{ field: 'validation_code', message: 'validation_code is required' }],
      });
    });
  });

  describe('PUT /user', () => {
    it('activates the account, consumes the code and answers a working token', async () => {
      const email = uniqueEmail('activate');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const response = await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(200);
      expect(response.body).toEqual({ email, status: 'active', access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      await t.http.get('/one_auth/api/validations').auth(email, response.body.access_token).expect(200);
      const again = await t.http.put(USER).send({ email, validation_code: code, password: PASSWORD }).expect(422);
      expect(again.body).toEqual({ message: 'Invalid code' });
    });

    it('answers 422 "User not exist" for an unknown email', async () => {
      const response = await t.http
        .put(USER)
        .send({ email: uniqueEmail('ghost'), validation_code: '123456', password: PASSWORD })
        .expect(422);
      expect(response.body).toEqual({ message: 'User not exist' });
    });

    it('answers 422 "Invalid code" for a wrong code and leaves the account inactive', async () => {
      const email = uniqueEmail('wrong');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const response = await t.http
        .put(USER)
        .send({ email, validation_code: code === '999999' ? '999998' : '999999', password: PASSWORD })
        .expect(422);
      expect(response.body).toEqual({ message: 'Invalid code' });
      const [row] = await t.dataSource.query('SELECT status FROM users WHERE email = ?', [email]);
      expect(row.status).toBe('deactived');
    });

    it.each([
      ['short', 'password must be at least 8 characters'],
      ['x'.repeat(257), 'password must be at most 256 characters'],
    ])('answers 400 for a password the policy refuses (%s…) and keeps the code', async (password, message) => {
      const email = uniqueEmail('policy');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const response = await t.http.put(USER).send({ email, validation_code: code, password }).expect(400);
      expect(response.body).toEqual({ message, errors: [{ field: 'password', message }] });
      await t.http.put(CODE).send({ email, validation_code: code }).expect(200);
    });

    it('refuses a password containing the local part of the email, saying why', async () => {
      const email = uniqueEmail('jennifer');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      const localPart = email.split('@')[0];
      const response = await t.http
        .put(USER)
        .send({ email, validation_code: code, password: `My${localPart.toUpperCase()}pass` })
        .expect(400);
      expect(response.body.message).toBe('password must not contain the name part of your email address');
    });

    it('counts code points, not bytes: 8 emoji are a valid password, 7 are not', async () => {
      const email = uniqueEmail('emoji');
      await t.http.post(USER).send({ email }).expect(201);
      const code = await t.smtp.waitForCode(email);
      await t.http
        .put(USER)
        .send({ email, validation_code: code, password: '🔑'.repeat(7) })
        .expect(400);
      const response = await t.http
        .put(USER)
        .send({ email, validation_code: code, password: '🔑'.repeat(8) })
        .expect(200);
      await t.http.get('/one_auth/api/access_tokens').auth(email, '🔑'.repeat(8)).expect(200);
      expect(response.body.status).toBe('active');
    });

    it('resets the password of an active account with a recovery code and revokes its old tokens', async () => {
      const user = await createActiveUser(t, uniqueEmail('reset'));
      const login = await t.http.get('/one_auth/api/access_tokens').auth(user.email, user.password).expect(200);
      await forgetLastCodeTime(t, user.email);
      await t.http.post(CODE).send({ email: user.email }).expect(202);
      const code = await t.smtp.waitForCode(user.email, 2);
      const newPassword = 'a brand new passphrase';
      const response = await t.http.put(USER).send({ email: user.email, validation_code: code, password: newPassword }).expect(200);
      expect(response.body).toEqual({ email: user.email, status: 'active', access_token: expect.any(String) });
      for (const old of [user.token, login.body.access_token]) {
        await t.http.get('/one_auth/api/validations').auth(user.email, old).expect(401);
      }
      await t.http.get('/one_auth/api/validations').auth(user.email, response.body.access_token).expect(200);
      await t.http.get('/one_auth/api/access_tokens').auth(user.email, user.password).expect(401);
      await t.http.get('/one_auth/api/access_tokens').auth(user.email, newPassword).expect(200);
    });
  });

  describe('POST /validation_code', () => {
    const answer = { message: 'If the account exists, a code has been sent' };

    it('answers 202 with the same body for an unknown email and mails nothing', async () => {
      const email = uniqueEmail('unknown');
      const response = await t.http.post(CODE).send({ email }).expect(202);
      expect(response.body).toEqual(answer);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(t.smtp.mailsTo(email)).toHaveLength(0);
    });

    it('resends a code to an inactive account', async () => {
      const email = uniqueEmail('resend');
      await t.http.post(USER).send({ email }).expect(201);
      await t.smtp.waitForCode(email, 1);
      await forgetLastCodeTime(t, email);
      const response = await t.http.post(CODE).send({ email }).expect(202);
      expect(response.body).toEqual(answer);
      const code = await t.smtp.waitForCode(email, 2);
      await t.http.put(CODE).send({ email, validation_code: code }).expect(200);
    });

    it('answers 202 and not 429 past the mail limit, which would reveal the account', async () => {
      const email = uniqueEmail('quiet');
      await t.http.post(USER).send({ email }).expect(201);
      for (let sent = 2; sent <= 5; sent++) {
        await forgetLastCodeTime(t, email);
        await t.http.post(CODE).send({ email }).expect(202);
        await t.smtp.waitForCode(email, sent);
      }
      await forgetLastCodeTime(t, email);
      const response = await t.http.post(CODE).send({ email }).expect(202);
      expect(response.body).toEqual(answer);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(t.smtp.mailsTo(email)).toHaveLength(5);
    });

    it('answers 400 for an invalid email', async () => {
      const response = await t.http.post(CODE).send({ email: 'nope' }).expect(400);
      expect(response.body.message).toBe('email must be a valid email');
    });
  });
});
