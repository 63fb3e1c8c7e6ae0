import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const CHALLENGE = 'Basic realm="one_auth", charset="UTF-8"';
const BAD_PASSWORD = { message: 'Email or password is not correct' };
const BAD_TOKEN = { message: 'Email or token is not correct' };

describe('login, token check and logout (endpoints 4, 7, 8, 11)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('GET /access_tokens (Basic email:password)', () => {
    it('answers a new token and the profile on each call, one per device', async () => {
      const user = await createActiveUser(t);
      const first = await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
      const second = await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
      expect(first.body).toEqual({
        access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        user_profile: { email: user.email, first_name: '', last_name: '', country: '', department: '', avatar: '' },
      });
      expect(second.body.access_token).not.toBe(first.body.access_token);
      for (const token of [first.body.access_token, second.body.access_token, user.token]) {
        await t.http.get(VALIDATIONS).auth(user.email, token).expect(200);
      }
    });

    it('accepts the email in any case and with spaces', async () => {
      const user = await createActiveUser(t);
      await t.http
        .get(TOKENS)
        .set('Authorization', basic(` ${user.email.toUpperCase()}`, user.password))
        .expect(200);
    });

    it('answers the same 401 for unknown email, wrong password and inactive account', async () => {
      const user = await createActiveUser(t);
      const inactive = uniqueEmail('inactive');
      await t.http.post('/one_auth/api/user').send({ email: inactive }).expect(201);
      const attempts = [
        [uniqueEmail('nobody'), user.password],
        [user.email, `${user.password}!`],
        [inactive, user.password],
        [user.email, user.token],
      ];
      for (const [email, secret] of attempts) {
        const response = await t.http.get(TOKENS).auth(email, secret).expect(401);
        expect(response.body).toEqual(BAD_PASSWORD);
        expect(response.headers['www-authenticate']).toBe(CHALLENGE);
      }
    });

    it.each([
      ['no header', undefined],
      ['another scheme', 'Digest abc'],
      ['not base64', 'Basic %%%'],
      ['no colon', `Basic ${Buffer.from('just-a-name').toString('base64')}`],
      ['empty password', `Basic ${Buffer.from('a@b.co:').toString('base64')}`],
      ['invalid UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`],
      ['a bearer token', 'Bearer abcdef'],
    ])('answers 401 with the challenge for a malformed header (%s)', async (_case, header) => {
      const call = t.http.get(TOKENS);
      if (header) call.set('Authorization', header);
      const response = await call.expect(401);
      expect(response.body).toEqual(BAD_PASSWORD);
      expect(response.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('splits Basic credentials at the first colon, so a password may contain colons', async () => {
      const user = await createActiveUser(t, uniqueEmail('colon'), 'pass:word:with:colons');
      await t.http.get(TOKENS).auth(user.email, 'pass:word:with:colons').expect(200);
      await t.http.get(TOKENS).auth(user.email, 'pass').expect(401);
    });

    it('reads Basic credentials as UTF-8 and compares passwords after NFKC', async () => {
      // "ﬁ" (U+FB01) is NFKC-equal to "fi"; "é" precomposed vs decomposed likewise.
      const user = await createActiveUser(t, uniqueEmail('unicode'), 'caf\u00e9 \ufb01ne password');
      await t.http.get(TOKENS).set('Authorization', basic(user.email, 'cafe\u0301 fine password')).expect(200);
    });
  });

  describe('GET /validations (token check for other services)', () => {
    it('answers the profile of the token owner with Basic email:token and with Bearer', async () => {
      const user = await createActiveUser(t);
      const profile = { email: user.email, first_name: '', last_name: '', country: '', department: '', avatar: '' };
      const viaBasic = await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
      expect(viaBasic.body).toEqual(profile);
      const viaBearer = await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${user.token}`).expect(200);
      expect(viaBearer.body).toEqual(profile);
    });

    it('names the account in X-User-Id and X-User-Email for a gateway, and sends neither with a 401', async () => {
      const user = await createActiveUser(t);
      const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [user.email]);
      const response = await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${user.token}`).expect(200);
      expect(response.headers['x-user-id']).toBe(String(id));
      expect(response.headers['x-user-email']).toBe(user.email);
      expect(response.headers['cache-control']).toBe('no-store');
      const refused = await t.http.get(VALIDATIONS).set('Authorization', 'Bearer not-a-token').expect(401);
      expect(refused.headers['x-user-id']).toBeUndefined();
      expect(refused.headers['x-user-email']).toBeUndefined();
    });

    it('answers alike whatever the method, and never reads a body (a gateway forwards the request it guards)', async () => {
      const user = await createActiveUser(t);
      const profile = { email: user.email, first_name: '', last_name: '', country: '', department: '', avatar: '' };
      for (const method of ['post', 'put', 'patch', 'delete'] as const) {
        const ok = await t.http[method](VALIDATIONS).auth(user.email, user.token).expect(200);
        expect(ok.body).toEqual(profile);
        expect(ok.headers['x-user-email']).toBe(user.email);
        const refused = await t.http[method](VALIDATIONS).auth(user.email, 'A'.repeat(43)).expect(401);
        expect(refused.body).toEqual(BAD_TOKEN);
        expect(refused.headers['www-authenticate']).toBe(CHALLENGE);
      }
      const bodies: Array<[string, string | Buffer]> = [
        ['text/plain', 'hello'],
        ['application/json', '{"broken'],
        ['application/json', JSON.stringify({ filler: 'x'.repeat(2 * 1024 * 1024) })],
        ['application/octet-stream', Buffer.alloc(1024 * 1024, 7)],
      ];
      for (const [type, body] of bodies) {
        const ok = await t.http.post(VALIDATIONS).auth(user.email, user.token).set('Content-Type', type).send(body).expect(200);
        expect(ok.body).toEqual(profile);
        await t.http.post(VALIDATIONS).set('Content-Type', type).send(body).expect(401);
      }
      // Only the token check ignores bodies: elsewhere a body must still be JSON.
      await t.http
        .put('/one_auth/api/user/profile')
        .auth(user.email, user.token)
        .set('Content-Type', 'text/plain')
        .send('hello')
        .expect(415);
    });

    it("answers as a route behind the same guard through Nest's pipeline does (it has a handler of its own)", async () => {
      // GET /user/profile answers the same body behind TokenAuthGuard, through Nest's router, guard,
      // pipes and response controller: every answer of the token check must match it but for the
      // identity headers it adds on a 200.
      const user = await createActiveUser(t);
      const PROFILE = '/one_auth/api/user/profile';
      const comparable = (response: { status: number; headers: Record<string, string>; text?: string }, identified: boolean) => {
        const { date, 'x-request-id': requestId, 'x-user-id': userId, 'x-user-email': userEmail, ...headers } = response.headers;
        expect(date).toBeTruthy();
        expect(requestId).toMatch(/^[\w.:-]+$/);
        if (identified && response.status === 200) expect([userId, userEmail]).toEqual([expect.stringMatching(/^\d+$/), user.email]);
        else expect([userId, userEmail]).toEqual([undefined, undefined]);
        return { status: response.status, headers, body: response.text, echoedId: requestId === 'gateway-1' ? requestId : 'own' };
      };
      const calls = [
        (path: string) => t.http.get(path).auth(user.email, user.token),
        (path: string) => t.http.get(path).set('Authorization', `Bearer ${user.token}`),
        (path: string) => t.http.get(path).auth(user.email.toUpperCase(), user.token),
        (path: string) => t.http.get(`${path}?from=gateway`).auth(user.email, user.token).set('X-Request-Id', 'gateway-1'),
        (path: string) => t.http.get(path).auth(user.email, 'A'.repeat(43)),
        (path: string) => t.http.get(path).auth(user.email, user.password),
        (path: string) => t.http.get(path).set('Authorization', 'Digest abc'),
        (path: string) => t.http.get(path).set('Authorization', 'Basic !!!'),
        (path: string) => t.http.get(path),
      ];
      const statuses = [];
      for (const call of calls) {
        const check = comparable(await call(VALIDATIONS), true);
        expect(check).toEqual(comparable(await call(PROFILE), false));
        statuses.push(check.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 401, 401, 401, 401, 401]);
    });

    it("answers 401 for someone else's email, an unknown token, a password, or no header", async () => {
      const alice = await createActiveUser(t, uniqueEmail('alice'));
      const bob = await createActiveUser(t, uniqueEmail('bob'));
      const calls = [
        t.http.get(VALIDATIONS).auth(bob.email, alice.token),
        t.http.get(VALIDATIONS).auth(alice.email, 'A'.repeat(43)),
        t.http.get(VALIDATIONS).auth(alice.email, alice.password),
        t.http.get(VALIDATIONS).set('Authorization', 'Bearer not-a-token'),
        t.http.get(VALIDATIONS),
      ];
      for (const call of calls) {
        const response = await call.expect(401);
        expect(response.body).toEqual(BAD_TOKEN);
        expect(response.headers['www-authenticate']).toBe(CHALLENGE);
      }
    });

    it('refuses a token past its absolute lifetime or idle too long', async () => {
      const user = await createActiveUser(t);
      const other = await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
      await t.dataSource.query('UPDATE access_tokens SET expires_at = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)', [
        Date.now() - 1,
        user.email,
      ]);
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
      const idle = await createActiveUser(t);
      await t.dataSource.query('UPDATE access_tokens SET last_used_at = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)', [
        Date.now() - 8 * 86_400_000,
        idle.email,
      ]);
      await t.http.get(VALIDATIONS).auth(idle.email, idle.token).expect(401);
      expect(other.body.access_token).toBeTruthy();
    });
  });

  describe('DELETE /access_tokens', () => {
    it('revokes the token used, only that one', async () => {
      const user = await createActiveUser(t);
      const other = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
      const response = await t.http.delete(TOKENS).auth(user.email, user.token).expect(200);
      expect(response.body).toEqual({ message: 'success' });
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
      await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${user.token}`).expect(401);
      const again = await t.http.delete(TOKENS).auth(user.email, user.token).expect(401);
      expect(again.body).toEqual(BAD_TOKEN);
      await t.http.get(VALIDATIONS).auth(user.email, other).expect(200);
    });

    it('with ?scope=all revokes every token of the account and no one else’s', async () => {
      const user = await createActiveUser(t);
      const bystander = await createActiveUser(t);
      const other = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
      await t.http.delete(`${TOKENS}?scope=all`).set('Authorization', `Bearer ${other}`).expect(200, { message: 'success' });
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(401);
      await t.http.get(VALIDATIONS).auth(user.email, other).expect(401);
      await t.http.get(VALIDATIONS).auth(bystander.email, bystander.token).expect(200);
      await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
    });

    it('answers 400 for an unknown scope and revokes nothing', async () => {
      const user = await createActiveUser(t);
      const response = await t.http.delete(`${TOKENS}?scope=everything`).auth(user.email, user.token).expect(400);
      expect(response.body.message).toBe("scope must be 'all'");
      await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    });

    it('answers 401 with the token message for a bad token', async () => {
      const response = await t.http.delete(TOKENS).auth(uniqueEmail(), 'nope').expect(401);
      expect(response.body).toEqual(BAD_TOKEN);
    });
  });

  it('never stores a token or a password in clear', async () => {
    const user = await createActiveUser(t);
    const rows = await t.dataSource.query('SELECT token_hash FROM access_tokens');
    const users = await t.dataSource.query('SELECT password_hash FROM users WHERE email = ?', [user.email]);
    expect(rows.map((row: { token_hash: string }) => row.token_hash)).not.toContain(user.token);
    expect(JSON.stringify(rows)).not.toContain(user.token);
    expect(users[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(users[0].password_hash).not.toContain(user.password);
  });
});
