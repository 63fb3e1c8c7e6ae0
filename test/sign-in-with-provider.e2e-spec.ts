import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKey } from './helpers/api-keys.js';
import { waitForMail } from './helpers/mail-text.js';
import { addUpstream, callbackUri, deliverCallback, exchange, RETURN_TO, signInWith } from './helpers/social-sign-in.js';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from './helpers/totp.js';
import { strangerKey, UpstreamProvider } from './helpers/upstream-provider.js';
import { userId } from './helpers/webhook-rows.js';

const API = '/one_auth/api';
const LOGIN_EXPIRED = { message: 'Login expired' };
const SIGN_IN_EXPIRED = { message: 'Sign-in expired, please start again' };
const suffix = () => randomUUID().slice(0, 6);

/** A person at the upstream with an address of their own; answers their subject and address. */
function person(upstream: UpstreamProvider, email = uniqueEmail('upstream'), verified = true): { sub: string; email: string } {
  const sub = randomUUID();
  upstream.users.set(sub, { email, email_verified: verified });
  return { sub, email };
}

async function eventsOf(t: TestApp, token: string): Promise<string[]> {
  const response = await t.http.get(`${API}/user/events`).set('Authorization', `Bearer ${token}`).expect(200);
  return (response.body.events as { type: string }[]).map((event) => event.type);
}

async function identitiesCount(t: TestApp, email: string): Promise<number> {
  const rows = (await t.dataSource.query('SELECT COUNT(*) AS n FROM identities WHERE user_id = ?', [await userId(t, email)])) as {
    n: number | string;
  }[];
  return Number(rows[0].n);
}

async function statusOf(t: TestApp, email: string): Promise<string | undefined> {
  const rows = (await t.dataSource.query('SELECT status FROM users WHERE email = ?', [email])) as { status: string }[];
  return rows[0]?.status;
}

describe('sign in with another provider (51–54)', () => {
  let t: TestApp;
  /** Trusted to say an address is verified (as Google is for its own addresses). */
  let trusted: UpstreamProvider;
  /** Not trusted (`--trust-email` left out): what it says about addresses is not believed. */
  let untrusted: UpstreamProvider;
  const google = `google-${suffix()}`;
  const other = `other-${suffix()}`;
  /** The trusted upstream again, for an app with a limit of its own. */
  const limitedGoogle = `limited-${suffix()}`;

  beforeAll(async () => {
    trusted = await UpstreamProvider.start([callbackUri(google), callbackUri(limitedGoogle)]);
    untrusted = await UpstreamProvider.start([callbackUri(other)]);
    t = await startTestApp({ SOCIAL_RETURN_URLS: `${RETURN_TO},com.example.app:/signed-in` });
    await addUpstream(t, trusted, google, true);
    await addUpstream(t, untrusted, other, false);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await t?.close();
    await trusted?.stop();
    await untrusted?.stop();
  });

  describe('the providers and the redirect (51, 52)', () => {
    it('lists the providers an operator added, by id and name, nothing else', async () => {
      const response = await t.http.get(`${API}/providers`).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const ours = (response.body.providers as { id: string }[]).filter((provider) => [google, other].includes(provider.id));
      expect(ours).toEqual([
        { id: google, name: google.charAt(0).toUpperCase() + google.slice(1) },
        { id: other, name: other.charAt(0).toUpperCase() + other.slice(1) },
      ]);
      expect(JSON.stringify(response.body)).not.toContain(trusted.client.clientSecret);
    });

    it('redirects to the provider with a code flow, PKCE S256, a state and a nonce, coming back to its callback', async () => {
      const response = await t.http.get(`${API}/sign_in/${google}`).query({ return_to: RETURN_TO }).expect(302);
      expect(response.text).toBe('');
      const location = new URL(response.headers.location as string);
      expect(`${location.origin}${location.pathname}`).toBe(`${trusted.issuer}/auth`);
      const query = Object.fromEntries(location.searchParams);
      expect(query).toMatchObject({
        client_id: trusted.client.clientId,
        response_type: 'code',
        redirect_uri: callbackUri(google),
        code_challenge_method: 'S256',
        scope: 'openid email',
      });
      expect(query.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(query.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(query.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Nothing of the flow is in clear in the database: the state as its hash, the verifier and nonce sealed.
      const rows = (await t.dataSource.query('SELECT state_hash, sealed FROM social_sign_ins')) as { state_hash: string; sealed: string }[];
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(query.state);
      expect(dump).not.toContain(query.nonce);
    });

    it('answers 404 for a provider that does not exist, and 400 for a return_to that is not exactly one of SOCIAL_RETURN_URLS', async () => {
      expect((await t.http.get(`${API}/sign_in/nobody`).query({ return_to: RETURN_TO }).expect(404)).body).toEqual({
        message: 'Provider not found',
      });
      await t.http.get(`${API}/sign_in/NOT%20AN%20ID`).query({ return_to: RETURN_TO }).expect(404);
      const missing = await t.http.get(`${API}/sign_in/${google}`).expect(400);
      expect(missing.body).toEqual({
        message: 'return_to is required',
        errors: [{ field: 'return_to', message: 'return_to is required' }],
      });
      for (const returnTo of [
        'https://evil.example/signed-in',
        `${RETURN_TO}/`,
        `${RETURN_TO}?next=/admin`,
        'https://app.one-auth.test/signed-in#x',
        'HTTPS://app.one-auth.test/signed-in',
      ]) {
        const refused = await t.http.get(`${API}/sign_in/${google}`).query({ return_to: returnTo }).expect(400);
        expect(refused.body.message).toBe('return_to must be one of the allowed return URLs');
      }
      // A native app's own scheme, listed, is fine.
      await t.http.get(`${API}/sign_in/${google}`).query({ return_to: 'com.example.app:/signed-in' }).expect(302);
    });

    it('gives the app its own state back at return_to', async () => {
      const { sub } = person(trusted);
      const start = await t.http.get(`${API}/sign_in/${google}`).query({ return_to: RETURN_TO, state: 'app-state-42' }).expect(302);
      const answer = await deliverCallback(t, await trusted.authorize(start.headers.location as string, sub));
      expect(answer.url.searchParams.get('state')).toBe('app-state-42');
      expect(answer.loginCode).not.toBeNull();
    });

    it('answers 503 when the provider cannot be reached, and starts no flow', async () => {
      const gone = await UpstreamProvider.start([callbackUri('gone')]);
      const id = `gone-${suffix()}`;
      await addUpstream(t, gone, id, true);
      await gone.stop();
      expect((await t.http.get(`${API}/sign_in/${id}`).query({ return_to: RETURN_TO }).expect(503)).body).toEqual({
        message: 'Provider unavailable, please retry later',
      });
    });
  });

  describe('accounts and the linking rules (53)', () => {
    it('makes an active account without a password at the first sign-in, and signs the same account in the second time', async () => {
      const { sub, email } = person(trusted);
      const first = await signInWith(t, trusted, google, sub);
      expect(first.error).toBeNull();
      expect(first.loginCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect([...first.url.searchParams.keys()]).toEqual(['login_code']);
      const token = await exchange(t, first.loginCode!).expect(200);
      expect(token.headers['cache-control']).toBe('no-store');
      expect(token.body).toEqual({
        access_token: expect.any(String),
        user_profile: { email, first_name: '', last_name: '', country: '', department: '', avatar: '' },
      });
      expect(await statusOf(t, email)).toBe('active');
      // No password: none signs in, not even an empty one.
      await t.http.get(`${API}/access_tokens`).auth(email, '').expect(401);
      await t.http.get(`${API}/access_tokens`).auth(email, 'correct horse battery staple').expect(401);
      expect(await eventsOf(t, token.body.access_token as string)).toEqual(['sign_in_provider', 'identity_linked']);

      const second = await signInWith(t, trusted, google, sub);
      const again = await exchange(t, second.loginCode!).expect(200);
      expect(again.body.user_profile.email).toBe(email);
      expect(await identitiesCount(t, email)).toBe(1);
      const identities = await t.http.get(`${API}/user/identities`).set('Authorization', `Bearer ${again.body.access_token}`).expect(200);
      expect(identities.body.identities).toEqual([
        {
          id: expect.stringMatching(/^[0-9a-f]{32}$/),
          provider: google,
          email,
          linked_at: expect.any(String),
          last_used_at: expect.any(String),
        },
      ]);
    });

    it('follows the subject, not the address: a linked identity whose address changed upstream still opens its account', async () => {
      const { sub, email } = person(trusted);
      await exchange(t, (await signInWith(t, trusted, google, sub)).loginCode!).expect(200);
      trusted.users.set(sub, { email: uniqueEmail('renamed'), email_verified: true });
      const answer = await signInWith(t, trusted, google, sub);
      expect((await exchange(t, answer.loginCode!).expect(200)).body.user_profile.email).toBe(email);
    });

    it('links the existing account of an address the trusted provider verified: a notice mail and an event say so', async () => {
      const user = await createActiveUser(t);
      const { sub } = person(trusted, user.email, true);
      const answer = await signInWith(t, trusted, google, sub);
      const token = await exchange(t, answer.loginCode!).expect(200);
      expect(token.body.user_profile.email).toBe(user.email);
      const mail = await waitForMail(t.smtp, user.email, /was linked to your one_auth account/);
      expect(mail).toContain(`signs in to it from now on`);
      expect(await eventsOf(t, user.token)).toEqual(expect.arrayContaining(['identity_linked', 'sign_in_provider']));
      // The password still works: linking adds a way in, it takes none away.
      await t.http.get(`${API}/access_tokens`).auth(user.email, user.password).expect(200);
    });

    describe('no takeover', () => {
      it('never opens the existing account of an address the provider says is unverified: link_required, nothing linked, nothing mailed', async () => {
        const user = await createActiveUser(t);
        const mailsBefore = t.smtp.mailsTo(user.email).length;
        const { sub } = person(trusted, user.email, false);
        const answer = await signInWith(t, trusted, google, sub);
        expect(answer.error).toBe('link_required');
        expect(answer.loginCode).toBeNull();
        expect(await identitiesCount(t, user.email)).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(t.smtp.mailsTo(user.email)).toHaveLength(mailsBefore);
        expect(await eventsOf(t, user.token)).not.toContain('identity_linked');
        // Asking again changes nothing: the rule is not worn down.
        expect((await signInWith(t, trusted, google, sub)).error).toBe('link_required');
      });

      it('never opens the existing account of an address verified by a provider the operator does not trust', async () => {
        const user = await createActiveUser(t);
        const { sub } = person(untrusted, user.email, true);
        const answer = await signInWith(t, untrusted, other, sub);
        expect(answer.error).toBe('link_required');
        expect(answer.loginCode).toBeNull();
        expect(await identitiesCount(t, user.email)).toBe(0);
      });

      it('never opens a disabled account either way, and says so only to a provider it trusts', async () => {
        const user = await createActiveUser(t);
        const admin = await createKey(t.app, 'users:write');
        await t.http
          .put(`/one_auth/admin/api/users/${await userId(t, user.email)}/status`)
          .set('Authorization', `Bearer ${admin.key}`)
          .send({ status: 'disabled' })
          .expect(200);
        expect((await signInWith(t, trusted, google, person(trusted, user.email, true).sub)).error).toBe('account_disabled');
        expect((await signInWith(t, untrusted, other, person(untrusted, user.email, true).sub)).error).toBe('link_required');
        expect(await identitiesCount(t, user.email)).toBe(0);
      });

      it('mails a code to an address no account holds when the provider does not vouch for it, and links nothing to it', async () => {
        const email = uniqueEmail('unvouched');
        const { sub } = person(untrusted, email, true);
        const answer = await signInWith(t, untrusted, other, sub);
        expect(answer.error).toBe('verification_required');
        // As registration (1) does: an account waiting for its code, and the code in the mailbox.
        expect(await statusOf(t, email)).toBe('deactived');
        const code = await t.smtp.waitForCode(email);
        // The mailbox's owner sets a password with it (3): their account, with no identity left waiting on it.
        const activated = await t.http
          .put(`${API}/user`)
          .send({ email, validation_code: code, password: 'correct horse battery staple' })
          .expect(200);
        expect(await identitiesCount(t, email)).toBe(0);
        // Whoever held the upstream identity still cannot open it: they would have to be signed in to link it.
        expect((await signInWith(t, untrusted, other, sub)).error).toBe('link_required');
        expect(await eventsOf(t, activated.body.access_token as string)).not.toContain('identity_linked');
      });

      it('does the same for an unverified address at a trusted provider', async () => {
        const email = uniqueEmail('unverified');
        const answer = await signInWith(t, trusted, google, person(trusted, email, false).sub);
        expect(answer.error).toBe('verification_required');
        await t.smtp.waitForCode(email);
        expect(await statusOf(t, email)).toBe('deactived');
      });

      it('activates an account never activated when the trusted provider verified its address (no one had proved it)', async () => {
        const email = uniqueEmail('pending');
        await t.http.post(`${API}/user`).send({ email }).expect(201);
        const answer = await signInWith(t, trusted, google, person(trusted, email, true).sub);
        expect((await exchange(t, answer.loginCode!).expect(200)).body.user_profile.email).toBe(email);
        expect(await statusOf(t, email)).toBe('active');
      });

      it('answers email_required when the provider gives no address and nothing is linked', async () => {
        const sub = randomUUID();
        trusted.users.set(sub, {});
        expect((await signInWith(t, trusted, google, sub)).error).toBe('email_required');
      });
    });

    it('refuses a disabled account whose identity is linked (account_disabled), and lets it in again once enabled', async () => {
      const { sub, email } = person(trusted);
      await exchange(t, (await signInWith(t, trusted, google, sub)).loginCode!).expect(200);
      const admin = await createKey(t.app, 'users:write');
      const status = (value: string) =>
        t.http
          .put(`/one_auth/admin/api/users/${id}/status`)
          .set('Authorization', `Bearer ${admin.key}`)
          .send({ status: value })
          .expect(200);
      const id = await userId(t, email);
      await status('disabled');
      const refused = await signInWith(t, trusted, google, sub);
      expect(refused).toMatchObject({ error: 'account_disabled', loginCode: null });
      // Enabled again, an account that never had a password is active, not waiting for a code it never needs.
      expect((await status('active')).body.status).toBe('active');
      await exchange(t, (await signInWith(t, trusted, google, sub)).loginCode!).expect(200);
    });

    it('still asks an account with two-step login for its second step: the login code gives an mfa_token, not a token', async () => {
      const user = await enableTwoStep(t, await createActiveUser(t));
      const { sub } = person(trusted, user.email, true);
      const answer = await signInWith(t, trusted, google, sub);
      const challenged = await exchange(t, answer.loginCode!).expect(401);
      expect(challenged.body).toEqual({
        message: 'Second factor required',
        mfa_token: expect.any(String),
        methods: ['totp', 'recovery_code'],
      });
      expect(challenged.headers['www-authenticate']).toBe('Basic realm="one_auth", charset="UTF-8"');
      // The same second step as after a password (23).
      await awayFromStepEdge();
      const finished = await t.http
        .post(`${API}/access_tokens/second_factor`)
        .send({ mfa_token: challenged.body.mfa_token, code: totpCode(user.secret) })
        .expect(200);
      expect(finished.body.user_profile.email).toBe(user.email);
    });

    it('answers access_denied when the person refuses at the provider', async () => {
      const answer = await signInWith(t, trusted, google, 'deny');
      expect(answer).toMatchObject({ error: 'access_denied', loginCode: null });
    });
  });

  describe('the callback checks the answer', () => {
    async function startFlow(): Promise<string> {
      return (await t.http.get(`${API}/sign_in/${google}`).query({ return_to: RETURN_TO }).expect(302)).headers.location as string;
    }

    it('uses a state once: the same callback again is refused, as is a state it never made', async () => {
      const { sub } = person(trusted);
      const callback = await trusted.authorize(await startFlow(), sub);
      expect((await deliverCallback(t, callback)).loginCode).not.toBeNull();
      const replayed = await t.http.get(callback.pathname + callback.search).expect(400);
      expect(replayed.body).toEqual(SIGN_IN_EXPIRED);

      const forged = new URL(callback);
      forged.searchParams.set('state', randomBytes(32).toString('base64url'));
      expect((await t.http.get(forged.pathname + forged.search).expect(400)).body).toEqual(SIGN_IN_EXPIRED);
      await t.http.get(`${API}/sign_in/${google}/callback`).expect(400, SIGN_IN_EXPIRED);
    });

    it('refuses a state started for another provider', async () => {
      const { sub } = person(trusted);
      const callback = await trusted.authorize(await startFlow(), sub);
      const elsewhere = `${API}/sign_in/${other}/callback${callback.search}`;
      expect((await t.http.get(elsewhere).expect(400)).body).toEqual(SIGN_IN_EXPIRED);
    });

    it('refuses a state that has expired (10 minutes)', async () => {
      const { sub } = person(trusted);
      const callback = await trusted.authorize(await startFlow(), sub);
      const realNow = Date.now.bind(Date);
      vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 10 * 60_000 + 1000);
      expect((await t.http.get(callback.pathname + callback.search).expect(400)).body).toEqual(SIGN_IN_EXPIRED);
    });

    it('refuses an ID token whose nonce is not the flow’s (a request changed on its way to the provider)', async () => {
      const { sub } = person(trusted);
      const callback = await trusted.authorize(await startFlow(), sub, (url) => {
        const changed = new URL(url);
        changed.searchParams.set('nonce', randomBytes(32).toString('base64url'));
        return changed;
      });
      expect(await deliverCallback(t, callback)).toMatchObject({ error: 'invalid_response', loginCode: null });
    });

    it('refuses an ID token signed by another key, and one made for another audience', async () => {
      const { sub, email } = person(trusted);
      // Signed with the provider's own key, the claims unchanged, the token passes: the check is of what the tests change.
      trusted.tamperNextToken = (body, keys) => ({ ...body, id_token: keys.sign(UpstreamProvider.claimsOf(body.id_token as string)) });
      expect((await deliverCallback(t, await trusted.authorize(await startFlow(), sub))).loginCode).not.toBeNull();

      trusted.tamperNextToken = (body, keys) => ({
        ...body,
        id_token: keys.sign(UpstreamProvider.claimsOf(body.id_token as string), strangerKey(), keys.kid),
      });
      expect(await deliverCallback(t, await trusted.authorize(await startFlow(), sub))).toMatchObject({ error: 'invalid_response' });

      trusted.tamperNextToken = (body, keys) => ({
        ...body,
        id_token: keys.sign({ ...UpstreamProvider.claimsOf(body.id_token as string), aud: 'another-client' }),
      });
      expect(await deliverCallback(t, await trusted.authorize(await startFlow(), sub))).toMatchObject({ error: 'invalid_response' });

      trusted.tamperNextToken = (body, keys) => ({
        ...body,
        id_token: keys.sign({ ...UpstreamProvider.claimsOf(body.id_token as string), iss: 'https://accounts.example.com' }),
      });
      expect(await deliverCallback(t, await trusted.authorize(await startFlow(), sub))).toMatchObject({ error: 'invalid_response' });
      expect(trusted.tamperNextToken).toBeNull();
      // The account was made by the first sign-in only.
      expect(await identitiesCount(t, email)).toBe(1);
    });

    it('counts refused answers as failed logins of the client address: past the limit, the callback says too_many_attempts', async () => {
      const limited = await startTestApp({
        SOCIAL_RETURN_URLS: RETURN_TO,
        LIMIT_LOGIN_FAILURES_PER_ADDRESS: '3/15m',
        TRUST_PROXY: 'true',
      });
      try {
        await addUpstream(limited, trusted, limitedGoogle, true);
        const address = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
        for (let i = 0; i < 3; i++)
          await limited.http
            .get(`${API}/sign_in/${limitedGoogle}/callback?state=forged${i}aaaaaaaaaaaaaaaaaaaa`)
            .set('X-Forwarded-For', address)
            .expect(400);
        const { sub } = person(trusted);
        const start = await limited.http.get(`${API}/sign_in/${limitedGoogle}`).query({ return_to: RETURN_TO }).expect(302);
        const callback = await trusted.authorize(start.headers.location as string, sub);
        const answer = await limited.http
          .get(callback.pathname + callback.search)
          .set('X-Forwarded-For', address)
          .expect(302);
        expect(new URL(answer.headers.location as string).searchParams.get('error')).toBe('too_many_attempts');
      } finally {
        await limited.close();
      }
    });
  });

  describe('the login code (54)', () => {
    it('is used once, and dies after 60 seconds: then Login expired', async () => {
      const { sub } = person(trusted);
      const { loginCode } = await signInWith(t, trusted, google, sub);
      await exchange(t, loginCode!).expect(200);
      expect((await exchange(t, loginCode!).expect(401)).body).toEqual(LOGIN_EXPIRED);

      const late = (await signInWith(t, trusted, google, sub)).loginCode!;
      const realNow = Date.now.bind(Date);
      vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 61_000);
      expect((await exchange(t, late).expect(401)).body).toEqual(LOGIN_EXPIRED);
    });

    it('refuses an unknown code and bad bodies, and keeps only the code’s hash', async () => {
      expect((await exchange(t, randomBytes(32).toString('base64url')).expect(401)).body).toEqual(LOGIN_EXPIRED);
      expect((await exchange(t, 'short').expect(401)).body).toEqual(LOGIN_EXPIRED);
      const missing = await t.http.post(`${API}/access_tokens/login_code`).send({}).expect(400);
      expect(missing.body).toEqual({
        message: 'login_code is required',
        errors: [{ field: 'login_code', message: 'login_code is required' }],
      });
      await t.http.post(`${API}/access_tokens/login_code`).send({ login_code: 7 }).expect(400);
      await t.http.post(`${API}/access_tokens/login_code`).set('Content-Type', 'text/plain').send('x').expect(415);

      const { loginCode } = await signInWith(t, trusted, google, person(trusted).sub);
      const rows = (await t.dataSource.query('SELECT code_hash FROM login_codes')) as { code_hash: string }[];
      expect(JSON.stringify(rows)).not.toContain(loginCode);
      expect(rows.length).toBeGreaterThan(0);
    });
  });
});

describe('a callback on another instance than the one that started the flow', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-social-'));
  let a: TestApp;
  let b: TestApp;
  let upstream: UpstreamProvider;
  const id = `shared-${suffix()}`;

  beforeAll(async () => {
    upstream = await UpstreamProvider.start([callbackUri(id)]);
    const env = { DATA_DIR: dataDir, SECRET: randomBytes(32).toString('hex'), SOCIAL_RETURN_URLS: RETURN_TO };
    a = await startTestApp(env);
    b = await startTestApp(env);
    // Added through A: B sees it at once (no cache of providers).
    await addUpstream(a, upstream, id, true);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await upstream?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes there, and the login code works on either; the flow cannot be finished twice', async () => {
    const sub = randomUUID();
    const email = uniqueEmail('two-instances');
    upstream.users.set(sub, { email, email_verified: true });
    const answer = await signInWith(a, upstream, id, sub, { callbackOn: b });
    expect(answer.loginCode).not.toBeNull();
    expect((await exchange(a, answer.loginCode!).expect(200)).body.user_profile.email).toBe(email);
    expect((await exchange(b, answer.loginCode!).expect(401)).body).toEqual(LOGIN_EXPIRED);

    const start = await b.http.get(`${API}/sign_in/${id}`).query({ return_to: RETURN_TO }).expect(302);
    const callback = await upstream.authorize(start.headers.location as string, sub);
    const [onA, onB] = await Promise.all([
      a.http.get(callback.pathname + callback.search),
      b.http.get(callback.pathname + callback.search),
    ]);
    expect([onA.status, onB.status].sort()).toEqual([302, 400]);
  });
});
