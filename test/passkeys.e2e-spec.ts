import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../src/housekeeping/housekeeping.service.js';
import { PasskeysService } from '../src/passkeys/passkeys.service.js';
import { waitForMail } from './helpers/mail-text.js';
import { type CreationOptions, type RequestOptions, SoftwareAuthenticator } from './helpers/software-authenticator.js';
import { basic, createActiveUser, PASSWORD, startTestApp, type TestApp } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { userId } from './helpers/webhook-rows.js';

const API = '/one_auth/api';
const ORIGIN = 'https://app.one-auth.test';
const RP_ID = 'one-auth.test';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NOT_ACCEPTED = { message: 'Passkey not accepted' };

type User = { email: string; password: string; token: string };

describe('passkeys', () => {
  const receiver = new WebhookReceiver(SECRET);
  let t: TestApp;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({
      PASSKEY_ORIGINS: `http://one-auth.test, ${ORIGIN}`,
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_MAX_RETRY_INTERVAL: '1s',
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  const bearer = (user: User) => `Bearer ${user.token}`;

  /** Options to add a passkey: the token, and the password again (28). */
  async function registrationOptions(user: User): Promise<CreationOptions> {
    const response = await t.http
      .post(`${API}/passkeys/registration/options`)
      .set('Authorization', bearer(user))
      .send({ password: user.password })
      .expect(200);
    return response.body as CreationOptions;
  }

  function addPasskey(user: User, response: Record<string, unknown>, name?: string) {
    return t.http.post(`${API}/passkeys`).set('Authorization', bearer(user)).send({ response, name });
  }

  /** A new account with one passkey on its own authenticator. */
  async function userWithPasskey(authenticator = new SoftwareAuthenticator(ORIGIN)) {
    const user = await createActiveUser(t);
    await addPasskey(user, authenticator.create(await registrationOptions(user)), 'Laptop').expect(201);
    return { user, authenticator, key: authenticator.keys.at(-1)! };
  }

  async function signInOptions(): Promise<RequestOptions> {
    return (await t.http.post(`${API}/passkeys/authentication/options`).send({}).expect(200)).body as RequestOptions;
  }

  const signIn = (response: Record<string, unknown>, extra: object = {}) =>
    t.http.post(`${API}/access_tokens/passkey`).send({ response, ...extra });

  async function eventTypes(user: User): Promise<string[]> {
    const response = await t.http.get(`${API}/user/events`).set('Authorization', bearer(user)).expect(200);
    return (response.body.events as { type: string }[]).map((event) => event.type);
  }

  describe('registration (28, 29)', () => {
    it('gives creation options that require a discoverable credential and user verification, for this RP', async () => {
      const user = await createActiveUser(t);
      const options = await registrationOptions(user);
      expect(options).toMatchObject({
        rp: { id: RP_ID, name: 'one_auth' },
        user: { name: user.email },
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        attestation: 'none',
        timeout: 300_000,
        excludeCredentials: [],
      });
      expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The user handle names no one.
      expect(Buffer.from(options.user.id, 'base64url').toString('latin1')).not.toContain(user.email);
      const again = await registrationOptions(user);
      expect(again.challenge).not.toBe(options.challenge);
      expect(again.user.id).toBe(options.user.id);
      // Only a hash of the challenge is kept.
      const rows = (await t.dataSource.query('SELECT challenge_hash FROM passkey_challenges')) as { challenge_hash: string }[];
      expect(rows.some((row) => row.challenge_hash === options.challenge)).toBe(false);
    });

    it('adds a passkey (attestation none), lists it, and excludes it from the next options', async () => {
      const user = await createActiveUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const passkeys = t.app.get(PasskeysService);
      expect(await passkeys.hasPasskey(await userId(t, user.email))).toBe(false);
      const before = Date.now();
      const added = await addPasskey(user, authenticator.create(await registrationOptions(user)), '  Laptop ').expect(201);
      expect(added.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        name: 'Laptop',
        created_at: expect.any(String),
        last_used_at: null,
        backed_up: true,
      });
      expect(Date.parse(added.body.created_at)).toBeGreaterThanOrEqual(before - 1000);
      const list = await t.http.get(`${API}/passkeys`).set('Authorization', bearer(user)).expect(200);
      expect(list.body).toEqual({ passkeys: [added.body] });
      expect(await passkeys.hasPasskey(await userId(t, user.email))).toBe(true);
      const next = await registrationOptions(user);
      expect(next.excludeCredentials.map((credential) => credential.id)).toEqual([
        authenticator.keys[0].credentialId.toString('base64url'),
      ]);
      expect(await eventTypes(user)).toContain('passkey_added');
      const text = await waitForMail(t.smtp, user.email, /Subject: A passkey was added/);
      expect(text).toContain('"Laptop"');
      const id = await userId(t, user.email);
      await receiver.waitFor(() => receiver.eventsOf(id).some((hook) => hook.body.type === 'passkey.added'));
      const hook = receiver.eventsOf(id).find((candidate) => candidate.body.type === 'passkey.added')!;
      expect(hook.body.data).toEqual({ user_id: id, passkey_id: added.body.id, name: 'Laptop' });
    });

    it('adds a passkey with packed self attestation, and lists the newest first', async () => {
      const user = await createActiveUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const first = await addPasskey(user, authenticator.create(await registrationOptions(user), 'none'), 'Phone').expect(201);
      const second = await addPasskey(user, authenticator.create(await registrationOptions(user), 'packed')).expect(201);
      expect(second.body.name).toBe('Passkey');
      const list = await t.http.get(`${API}/passkeys`).set('Authorization', bearer(user)).expect(200);
      expect(list.body.passkeys.map((passkey: { id: string }) => passkey.id)).toEqual([second.body.id, first.body.id]);
    });

    it('refuses a packed attestation whose signature does not check out', async () => {
      const user = await createActiveUser(t);
      const response = new SoftwareAuthenticator(ORIGIN).create(await registrationOptions(user), 'packed');
      const options = await registrationOptions(user);
      // The signature was made over the first ceremony's client data; sent with the second challenge's client data.
      const other = new SoftwareAuthenticator(ORIGIN).create(options, 'packed') as { response: Record<string, string> };
      const mixed = { ...response, response: { ...(response.response as object), clientDataJSON: other.response.clientDataJSON } };
      expect((await addPasskey(user, mixed).expect(422)).body).toEqual(NOT_ACCEPTED);
    });

    it('refuses a response from another origin', async () => {
      const user = await createActiveUser(t);
      const response = new SoftwareAuthenticator('https://evil.example').create(await registrationOptions(user));
      expect((await addPasskey(user, response).expect(422)).body).toEqual(NOT_ACCEPTED);
    });

    it('refuses a credential made for another RP ID', async () => {
      const user = await createActiveUser(t);
      const response = new SoftwareAuthenticator(ORIGIN).create(await registrationOptions(user), 'none', { rpId: 'evil.example' });
      await addPasskey(user, response).expect(422);
    });

    it('refuses a response without user verification', async () => {
      const user = await createActiveUser(t);
      const response = new SoftwareAuthenticator(ORIGIN).create(await registrationOptions(user), 'none', { noUserVerification: true });
      await addPasskey(user, response).expect(422);
    });

    it('accepts a challenge once: a second credential on the same options is refused', async () => {
      const user = await createActiveUser(t);
      const options = await registrationOptions(user);
      await addPasskey(user, new SoftwareAuthenticator(ORIGIN).create(options)).expect(201);
      await addPasskey(user, new SoftwareAuthenticator(ORIGIN).create(options)).expect(422);
    });

    it('refuses an expired challenge', async () => {
      const user = await createActiveUser(t);
      const options = await registrationOptions(user);
      await t.dataSource.query('UPDATE passkey_challenges SET expires_at = ? WHERE user_id = ?', [
        Date.now() - 1,
        await userId(t, user.email),
      ]);
      await addPasskey(user, new SoftwareAuthenticator(ORIGIN).create(options)).expect(422);
    });

    it('refuses a response to options another account was given', async () => {
      const [alice, bob] = [await createActiveUser(t), await createActiveUser(t)];
      await addPasskey(bob, new SoftwareAuthenticator(ORIGIN).create(await registrationOptions(alice))).expect(422);
    });

    it('refuses a credential another account holds', async () => {
      const bob = await createActiveUser(t);
      // Bob's options answered with the credential Carol holds (its id and key attested again).
      const { authenticator, key } = await userWithPasskey();
      await addPasskey(bob, authenticator.create(await registrationOptions(bob), 'none', { again: key })).expect(422);
      const list = await t.http.get(`${API}/passkeys`).set('Authorization', bearer(bob)).expect(200);
      expect(list.body.passkeys).toEqual([]);
    });

    it('answers 400 naming the field for a missing or malformed response or name', async () => {
      const user = await createActiveUser(t);
      const missing = await t.http.post(`${API}/passkeys`).set('Authorization', bearer(user)).send({ name: 'x' }).expect(400);
      expect(missing.body.message).toBe('response is required');
      const wrong = await t.http.post(`${API}/passkeys`).set('Authorization', bearer(user)).send({ response: 'x' }).expect(400);
      expect(wrong.body.message).toBe('response must be an object');
      await t.http
        .post(`${API}/passkeys`)
        .set('Authorization', bearer(user))
        .send({ response: {}, name: 'x'.repeat(101) })
        .expect(400);
      // Garbage where the credential should be is a refused passkey, not a crash.
      await addPasskey(user, { id: 1, response: { clientDataJSON: 'not base64!' } }).expect(422);
      await addPasskey(user, { response: { clientDataJSON: Buffer.from('{"challenge":5}').toString('base64url') } }).expect(422);
    });

    it('needs a token', async () => {
      await t.http.post(`${API}/passkeys/registration/options`).expect(401);
      await t.http.get(`${API}/passkeys`).expect(401);
    });

    it('holds at most 20 passkeys per account', async () => {
      const user = await createActiveUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      for (let i = 0; i < 20; i++) await addPasskey(user, authenticator.create(await registrationOptions(user))).expect(201);
      const refused = await t.http
        .post(`${API}/passkeys/registration/options`)
        .set('Authorization', bearer(user))
        .send({ password: user.password })
        .expect(409);
      expect(refused.body).toEqual({ message: 'At most 20 passkeys per account' });
    });
  });

  describe('sign-in without a password (31)', () => {
    it('signs in with a discoverable passkey: a working token, the profile, a sign-in event', async () => {
      const { user, authenticator } = await userWithPasskey();
      const options = await signInOptions();
      expect(options).toMatchObject({ rpId: RP_ID, allowCredentials: [], userVerification: 'required', timeout: 300_000 });
      const response = await signIn(authenticator.get(options)).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        access_token: expect.any(String),
        user_profile: { email: user.email, first_name: '', last_name: '', country: '', department: '', avatar: '' },
      });
      await t.http.get(`${API}/validations`).set('Authorization', basic(user.email, response.body.access_token)).expect(200);
      expect(await eventTypes(user)).toContain('sign_in_passkey');
      const list = await t.http.get(`${API}/passkeys`).set('Authorization', bearer(user)).expect(200);
      expect(list.body.passkeys[0].last_used_at).not.toBeNull();
      // And again: a counter that keeps moving forward; the options' body is optional.
      const bare = await t.http.post(`${API}/passkeys/authentication/options`).expect(200);
      await signIn(authenticator.get(bare.body as RequestOptions)).expect(200);
    });

    it('signs in with an authenticator that keeps no counter, again and again', async () => {
      const { authenticator } = await userWithPasskey(new SoftwareAuthenticator(ORIGIN, false));
      await signIn(authenticator.get(await signInOptions())).expect(200);
      await signIn(authenticator.get(await signInOptions())).expect(200);
    });

    it('refuses a response from another origin', async () => {
      const { authenticator, key } = await userWithPasskey();
      const refused = await signIn(authenticator.get(await signInOptions(), key, { origin: 'https://evil.example' })).expect(401);
      expect(refused.body).toEqual(NOT_ACCEPTED);
      expect(refused.headers['www-authenticate']).toMatch(/^Basic /);
    });

    it('refuses an assertion for another RP ID', async () => {
      const { authenticator, key } = await userWithPasskey();
      await signIn(authenticator.get(await signInOptions(), key, { rpId: 'evil.example' })).expect(401);
    });

    it('refuses a replayed response', async () => {
      const { authenticator } = await userWithPasskey();
      const response = authenticator.get(await signInOptions());
      await signIn(response).expect(200);
      await signIn(response).expect(401);
    });

    it('refuses an expired challenge', async () => {
      const { authenticator } = await userWithPasskey();
      const options = await signInOptions();
      await t.dataSource.query('UPDATE passkey_challenges SET expires_at = ? WHERE user_id IS NULL', [Date.now() - 1]);
      await signIn(authenticator.get(options)).expect(401);
    });

    it('refuses a challenge the service never gave', async () => {
      const { authenticator } = await userWithPasskey();
      const options = await signInOptions();
      await signIn(authenticator.get(options, undefined, { challenge: randomBytes(32).toString('base64url') })).expect(401);
    });

    it('refuses a signature over other data', async () => {
      const { authenticator, key } = await userWithPasskey();
      await signIn(authenticator.get(await signInOptions(), key, { signOtherData: true })).expect(401);
    });

    it('refuses a counter that goes back (a cloned authenticator)', async () => {
      const { authenticator, key } = await userWithPasskey();
      await signIn(authenticator.get(await signInOptions(), key, { counter: 5 })).expect(200);
      await signIn(authenticator.get(await signInOptions(), key, { counter: 4 })).expect(401);
      await signIn(authenticator.get(await signInOptions(), key, { counter: 5 })).expect(401);
      await signIn(authenticator.get(await signInOptions(), key, { counter: 6 })).expect(200);
    });

    it('refuses a response without user verification', async () => {
      const { authenticator, key } = await userWithPasskey();
      await signIn(authenticator.get(await signInOptions(), key, { noUserVerification: true })).expect(401);
    });

    it('refuses another account’s credential presented as this account’s', async () => {
      const { key: aliceKey } = await userWithPasskey();
      const { authenticator: bobs, key: bobKey } = await userWithPasskey();
      // Bob's credential, claiming Alice's user handle.
      await signIn(bobs.get(await signInOptions(), bobKey, { userHandle: aliceKey.userHandle })).expect(401);
    });

    it('refuses an unknown credential and garbage, and counts them as failed logins', async () => {
      const stranger = new SoftwareAuthenticator(ORIGIN);
      stranger.create({ challenge: 'x', rp: { id: RP_ID, name: 'x' }, user: { id: 'AAAA', name: 'x' }, excludeCredentials: [] });
      await signIn(stranger.get(await signInOptions())).expect(401);
      await signIn({ id: 'x', rawId: 'y' }).expect(401);
      await t.http.post(`${API}/access_tokens/passkey`).send({}).expect(400);
    });

    it('refuses a removed passkey and an account that is not active', async () => {
      const { user, authenticator, key } = await userWithPasskey();
      const list = await t.http.get(`${API}/passkeys`).set('Authorization', bearer(user)).expect(200);
      await t.dataSource.query('UPDATE users SET status = ? WHERE email = ?', ['deactived', user.email]);
      await signIn(authenticator.get(await signInOptions(), key)).expect(401);
      await t.dataSource.query('UPDATE users SET status = ? WHERE email = ?', ['active', user.email]);
      await signIn(authenticator.get(await signInOptions(), key)).expect(200);
      await t.http.delete(`${API}/passkeys/${list.body.passkeys[0].id}`).set('Authorization', bearer(user)).expect(200);
      await signIn(authenticator.get(await signInOptions(), key)).expect(401);
      // A failed sign-in is recorded just after its answer (recordLater): polled until written.
      await expect.poll(() => eventTypes(user), { timeout: 5000 }).toContain('sign_in_failed');
    });

    it('lets exactly one of concurrent uses of one response through', async () => {
      const { authenticator } = await userWithPasskey();
      const response = authenticator.get(await signInOptions());
      const answers = await Promise.all(Array.from({ length: 5 }, () => signIn(response)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401, 401, 401]);
    });

    it('counts refused passkeys as failed logins of the account: past the limit, 429 even for a good one', async () => {
      const { authenticator, key } = await userWithPasskey();
      for (let i = 0; i < 10; i++) await signIn(authenticator.get(await signInOptions(), key, { noUserVerification: true })).expect(401);
      const limited = await signIn(authenticator.get(await signInOptions(), key)).expect(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    });

    it('answers Login expired for an mfa_token that is no live login (the second step: passkey-second-step.e2e-spec.ts)', async () => {
      const { authenticator } = await userWithPasskey();
      const expired = await t.http
        .post(`${API}/passkeys/authentication/options`)
        .send({ mfa_token: 'x'.repeat(43) })
        .expect(401);
      expect(expired.body).toEqual({ message: 'Login expired' });
      expect((await signIn(authenticator.get(await signInOptions()), { mfa_token: 'x'.repeat(43) }).expect(401)).body).toEqual({
        message: 'Login expired',
      });
      await t.http.post(`${API}/passkeys/authentication/options`).send({ mfa_token: 5 }).expect(400);
    });
  });

  describe('removal, export, deletion, housekeeping', () => {
    it('removes a passkey of the account only: 404 for another account’s or an unknown id', async () => {
      const { user: alice } = await userWithPasskey();
      const { user: bob } = await userWithPasskey();
      const [bobsPasskey] = (await t.http.get(`${API}/passkeys`).set('Authorization', bearer(bob)).expect(200)).body.passkeys;
      const notFound = await t.http.delete(`${API}/passkeys/${bobsPasskey.id}`).set('Authorization', bearer(alice)).expect(404);
      expect(notFound.body).toEqual({ message: 'Passkey not found' });
      await t.http.delete(`${API}/passkeys/unknown`).set('Authorization', bearer(alice)).expect(404);
      const removed = await t.http.delete(`${API}/passkeys/${bobsPasskey.id}`).set('Authorization', bearer(bob)).expect(200);
      expect(removed.body).toEqual({ message: 'success' });
      await t.http.delete(`${API}/passkeys/${bobsPasskey.id}`).set('Authorization', bearer(bob)).expect(404);
      expect(await eventTypes(bob)).toContain('passkey_removed');
      const id = await userId(t, bob.email);
      await receiver.waitFor(() => receiver.eventsOf(id).some((hook) => hook.body.type === 'passkey.removed'));
      expect(receiver.eventsOf(id).find((hook) => hook.body.type === 'passkey.removed')!.body.data).toEqual({
        user_id: id,
        passkey_id: bobsPasskey.id,
      });
    });

    it('lists passkeys in the export without key material', async () => {
      const { user, key } = await userWithPasskey();
      // An email change under way: the document's pending_email_change is declared as an object.
      await t.http
        .post(`${API}/user/email`)
        .set('Authorization', bearer(user))
        .send({ new_email: `moved-${user.email}`, password: PASSWORD })
        .expect(202);
      const exported = await t.http.get(`${API}/user/export`).set('Authorization', bearer(user)).expect(200);
      expect(exported.body.passkeys).toEqual([
        { id: expect.any(String), name: 'Laptop', created_at: expect.any(String), last_used_at: null, backed_up: true },
      ]);
      expect(JSON.stringify(exported.body)).not.toContain(Buffer.from(key.credentialId).toString('base64url'));
      expect(JSON.stringify(exported.body)).not.toContain(key.cosePublicKey.toString('base64url').slice(10, 40));
    });

    it('erases the passkeys and challenges with the account', async () => {
      const { user, authenticator, key } = await userWithPasskey();
      const id = await userId(t, user.email);
      await registrationOptions(user);
      await t.http.delete(`${API}/user`).set('Authorization', basic(user.email, PASSWORD)).expect(200);
      const rows = (await t.dataSource.query('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', [id])) as { n: number | string }[];
      expect(Number(rows[0].n)).toBe(0);
      const challenges = (await t.dataSource.query('SELECT COUNT(*) AS n FROM passkey_challenges WHERE user_id = ?', [id])) as {
        n: number | string;
      }[];
      expect(Number(challenges[0].n)).toBe(0);
      await signIn(authenticator.get(await signInOptions(), key)).expect(401);
    });

    it('prunes expired challenges, keeping live ones', async () => {
      await signInOptions();
      const live = await signInOptions();
      await t.dataSource.query('UPDATE passkey_challenges SET expires_at = ? WHERE expires_at > ?', [Date.now() - 1, Date.now()]);
      const { authenticator } = await userWithPasskey();
      const fresh = await signInOptions();
      const report = await t.app.get(HousekeepingService).runOnce();
      expect(report.passkeyChallenges).toBeGreaterThanOrEqual(2);
      await signIn(authenticator.get(live)).expect(401);
      await signIn(authenticator.get(fresh)).expect(200);
    });
  });
});

describe('passkey ceremonies over two instances', () => {
  let a: TestApp;
  let b: TestApp;
  const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-passkeys-'));

  beforeAll(async () => {
    // One database and one SECRET, as instances of one deployment share.
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${join(dataDir, 'one_auth.sqlite')}`,
      SECRET: randomBytes(32).toString('hex'),
      PASSKEY_ORIGINS: ORIGIN,
    };
    a = await startTestApp(env);
    b = await startTestApp(env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes on one instance a ceremony started on the other, and accepts its response once', async () => {
    const user = await createActiveUser(a);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const creation = await a.http
      .post(`${API}/passkeys/registration/options`)
      .set('Authorization', `Bearer ${user.token}`)
      .send({ password: user.password })
      .expect(200);
    await b.http
      .post(`${API}/passkeys`)
      .set('Authorization', `Bearer ${user.token}`)
      .send({ response: authenticator.create(creation.body as CreationOptions) })
      .expect(201);
    const request = await b.http.post(`${API}/passkeys/authentication/options`).send({}).expect(200);
    const response = authenticator.get(request.body as RequestOptions);
    const [first, second] = await Promise.all([
      a.http.post(`${API}/access_tokens/passkey`).send({ response }),
      b.http.post(`${API}/access_tokens/passkey`).send({ response }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 401]);
  });
});
