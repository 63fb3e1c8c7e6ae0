import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HousekeepingService } from '../src/housekeeping/housekeeping.service.js';
import { waitForMail } from './helpers/mail-text.js';
import { addUpstream, answerOf, callbackUri, deliverCallback, exchange, RETURN_TO, signInWith } from './helpers/social-sign-in.js';
import { type CreationOptions, SoftwareAuthenticator } from './helpers/software-authenticator.js';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';
import { UpstreamProvider } from './helpers/upstream-provider.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { userId } from './helpers/webhook-rows.js';

const API = '/one_auth/api';
const IDENTITIES = `${API}/user/identities`;
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ORIGIN = 'https://app.one-auth.test';
const LAST_WAY_IN = { message: 'Set a password before removing your last way to sign in' };
const suffix = () => randomUUID().slice(0, 6);

interface Identity {
  id: string;
  provider: string;
  email: string;
  linked_at: string;
  last_used_at: string | null;
}

/**
 * An account's identities (55): linking one from a signed-in session,
 * unlinking, the last-way-in rule; and what covers them as it covers the
 * rest of an account: events (22), notice mails, webhooks, export (21),
 * deletion (20), the housekeeping sweep.
 */
describe('identities of a signed-in account (55)', () => {
  const hooks = new WebhookReceiver(WEBHOOK_SECRET);
  let t: TestApp;
  let upstream: UpstreamProvider;
  let second: UpstreamProvider;
  const google = `google-${suffix()}`;
  const gitlab = `gitlab-${suffix()}`;

  beforeAll(async () => {
    await hooks.start();
    upstream = await UpstreamProvider.start([callbackUri(google)]);
    second = await UpstreamProvider.start([callbackUri(gitlab)]);
    t = await startTestApp({ SOCIAL_RETURN_URLS: RETURN_TO, WEBHOOK_URL: hooks.url, WEBHOOK_SECRET, PASSKEY_ORIGINS: ORIGIN });
    await addUpstream(t, upstream, google, true);
    await addUpstream(t, second, gitlab, false);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.stop();
    await second?.stop();
    await hooks.stop();
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const list = async (token: string) => (await t.http.get(IDENTITIES).set(auth(token)).expect(200)).body.identities as Identity[];
  const unlink = (token: string, id: string) => t.http.delete(`${IDENTITIES}/${id}`).set(auth(token));

  function person(provider: UpstreamProvider, email = uniqueEmail('upstream'), verified = true): string {
    const sub = randomUUID();
    provider.users.set(sub, { email, email_verified: verified });
    return sub;
  }

  /** 55's link: the URL, walked through the provider as `sub`, back through the callback: the answer at return_to. */
  async function link(token: string, providerId: string, provider: UpstreamProvider, sub: string) {
    const started = await t.http.post(`${IDENTITIES}/${providerId}`).set(auth(token)).send({ return_to: RETURN_TO }).expect(200);
    expect(Object.keys(started.body)).toEqual(['url']);
    return deliverCallback(t, await provider.authorize(started.body.url as string, sub));
  }

  /** An account made by a sign-in with the trusted provider: no password; its identity's subject and a fresh token. */
  async function providerAccount(): Promise<{ email: string; sub: string; token: string }> {
    const email = uniqueEmail('made');
    const sub = person(upstream, email);
    const { loginCode } = await signInWith(t, upstream, google, sub);
    return { email, sub, token: (await exchange(t, loginCode!).expect(200)).body.access_token as string };
  }

  async function eventTypes(token: string): Promise<string[]> {
    return ((await t.http.get(`${API}/user/events`).set(auth(token)).expect(200)).body.events as { type: string }[]).map((e) => e.type);
  }

  it('links an account of another provider from a signed-in session, whatever its address: mail, event and webhook say so', async () => {
    const user = await createActiveUser(t);
    // Its address at the provider is another one, and unverified: linking while signed in does not go by the address.
    const sub = person(second, uniqueEmail('elsewhere'), false);
    const answer = await link(user.token, gitlab, second, sub);
    expect(answer.url.searchParams.get('linked')).toBe('true');
    expect(answer.loginCode).toBeNull();
    const [identity] = await list(user.token);
    expect(identity).toMatchObject({ provider: gitlab, last_used_at: null });
    expect(await waitForMail(t.smtp, user.email, /was linked to your one_auth account/)).toContain(gitlab.charAt(0).toUpperCase());
    expect(await eventTypes(user.token)).toContain('identity_linked');
    const id = await userId(t, user.email);
    await hooks.waitFor(() => hooks.eventsOf(id).some((hook) => hook.body.type === 'identity.linked'));
    const hook = hooks.eventsOf(id).find((received) => received.body.type === 'identity.linked')!;
    expect(hook.verified).toBe(true);
    expect(hook.body.data).toEqual({ user_id: id, identity_id: identity.id, provider: gitlab, email: identity.email });

    // From now on that subject signs this account in, though the provider is not trusted with addresses.
    const signedIn = await signInWith(t, second, gitlab, sub);
    expect((await exchange(t, signedIn.loginCode!).expect(200)).body.user_profile.email).toBe(user.email);
    expect((await list(user.token))[0].last_used_at).not.toBeNull();
  });

  it('needs a token from a sign-in less than 10 minutes old: linking adds a lasting way in', async () => {
    const user = await createActiveUser(t);
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 10 * 60_000 + 1000);
    const refused = await t.http.post(`${IDENTITIES}/${google}`).set(auth(user.token)).send({ return_to: RETURN_TO }).expect(403);
    expect(refused.body).toEqual({ message: 'Sign in again to link an account' });
    vi.restoreAllMocks();
    await t.http.post(`${IDENTITIES}/${google}`).set(auth(user.token)).send({ return_to: RETURN_TO }).expect(200);
  });

  it('refuses a subject that opens another account (already_linked), takes one linked here already, and checks its input', async () => {
    const owner = await providerAccount();
    const user = await createActiveUser(t);
    expect((await link(user.token, google, upstream, owner.sub)).error).toBe('already_linked');
    expect(await list(user.token)).toEqual([]);
    expect((await link(owner.token, google, upstream, owner.sub)).url.searchParams.get('linked')).toBe('true');
    expect(await list(owner.token)).toHaveLength(1);

    await t.http
      .post(`${IDENTITIES}/nobody`)
      .set(auth(user.token))
      .send({ return_to: RETURN_TO })
      .expect(404, { message: 'Provider not found' });
    const notAllowed = await t.http
      .post(`${IDENTITIES}/${google}`)
      .set(auth(user.token))
      .send({ return_to: 'https://evil.example/' })
      .expect(400);
    expect(notAllowed.body.message).toBe('return_to must be one of the allowed return URLs');
    await t.http.post(`${IDENTITIES}/${google}`).set(auth(user.token)).send({}).expect(400);
    await t.http.post(`${IDENTITIES}/${google}`).send({ return_to: RETURN_TO }).expect(401);
    await t.http.get(IDENTITIES).expect(401);
  });

  it('unlinks: the subject no longer opens the account; event, webhook and mail say so; 404 for what is not one of its own', async () => {
    const user = await createActiveUser(t);
    const sub = person(second, uniqueEmail('to-unlink'), false);
    await link(user.token, gitlab, second, sub);
    const [identity] = await list(user.token);
    const stranger = await createActiveUser(t);
    expect((await unlink(stranger.token, identity.id).expect(404)).body).toEqual({ message: 'Identity not found' });
    await unlink(user.token, 'not-an-id').expect(404);

    expect((await unlink(user.token, identity.id).expect(200)).body).toEqual({ message: 'success' });
    expect(await list(user.token)).toEqual([]);
    await unlink(user.token, identity.id).expect(404);
    expect(await eventTypes(user.token)).toContain('identity_unlinked');
    await waitForMail(t.smtp, user.email, /was removed from your one_auth account/);
    const id = await userId(t, user.email);
    await hooks.waitFor(() => hooks.eventsOf(id).some((hook) => hook.body.type === 'identity.unlinked'));
    expect(hooks.eventsOf(id).find((hook) => hook.body.type === 'identity.unlinked')!.body.data).toEqual({
      user_id: id,
      identity_id: identity.id,
      provider: gitlab,
      reason: 'owner',
    });
    expect((await signInWith(t, second, gitlab, sub)).error).toBe('verification_required');
  });

  describe('the last way in', () => {
    it('keeps the only identity of an account without a password (409), and lets it go once another way in exists', async () => {
      const account = await providerAccount();
      const [only] = await list(account.token);
      expect((await unlink(account.token, only.id).expect(409)).body).toEqual(LAST_WAY_IN);
      expect(await list(account.token)).toHaveLength(1);

      // A second identity is another way in: either may go, not both.
      await link(account.token, gitlab, second, person(second));
      const both = await list(account.token);
      await unlink(account.token, only.id).expect(200);
      const [left] = both.filter((identity) => identity.id !== only.id);
      expect((await unlink(account.token, left.id).expect(409)).body).toEqual(LAST_WAY_IN);

      // A password is a way in: set one (a recent sign-in stands in for the password it does not have), then the last identity may go.
      await t.http
        .put(`${API}/user/password`)
        .set(auth(account.token))
        .send({ new_password: 'a first password of mine' })
        .expect(200, { message: 'Password changed' });
      await unlink(account.token, left.id).expect(200);
      await t.http.get(`${API}/access_tokens`).auth(account.email, 'a first password of mine').expect(200);
    });

    it('counts a passkey as a way in: it signs in alone', async () => {
      const account = await providerAccount();
      const options = await t.http.post(`${API}/passkeys/registration/options`).set(auth(account.token)).send({}).expect(200);
      await t.http
        .post(`${API}/passkeys`)
        .set(auth(account.token))
        .send({ response: new SoftwareAuthenticator(ORIGIN).create(options.body as CreationOptions) })
        .expect(201);
      const [only] = await list(account.token);
      await unlink(account.token, only.id).expect(200);
    });
  });

  it('exports the identities with the account, no secret of theirs, and erases them with it', async () => {
    const account = await providerAccount();
    const exported = await t.http.get(`${API}/user/export`).set(auth(account.token)).expect(200);
    expect(exported.body.identities).toEqual([
      { id: expect.any(String), provider: google, email: account.email, linked_at: expect.any(String), last_used_at: expect.any(String) },
    ]);
    expect(JSON.stringify(exported.body)).not.toContain(account.sub);
    // No password to give: a token from a recent sign-in deletes the account (20).
    await t.http.delete(`${API}/user`).set(auth(account.token)).expect(200, { message: 'Account deleted' });
    const rows = (await t.dataSource.query('SELECT COUNT(*) AS n FROM identities WHERE subject = ?', [account.sub])) as { n: number }[];
    expect(Number(rows[0].n)).toBe(0);
    // The address is free, and the same subject makes a new account.
    const again = await signInWith(t, upstream, google, account.sub);
    expect((await exchange(t, again.loginCode!).expect(200)).body.user_profile.email).toBe(account.email);
  });

  it('leaves the sweep to prune sign-ins never finished and login codes never used', async () => {
    const start = await t.http.get(`${API}/sign_in/${google}`).query({ return_to: RETURN_TO }).expect(302);
    const { loginCode } = await signInWith(t, upstream, google, person(upstream));
    const count = async (table: string) =>
      Number(((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number }[])[0].n);
    expect(await count('social_sign_ins')).toBeGreaterThan(0);
    expect(await count('login_codes')).toBeGreaterThan(0);
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 10 * 60_000 + 1000);
    const report = await t.app.get(HousekeepingService).runOnce();
    expect(report.signInFlows).toBeGreaterThan(0);
    expect(report.loginCodes).toBeGreaterThan(0);
    vi.restoreAllMocks();
    expect(await count('social_sign_ins')).toBe(0);
    expect(await count('login_codes')).toBe(0);
    // Pruned, they are refused as any unknown one is.
    const callback = answerOf(start.headers.location as string);
    expect(callback.url.searchParams.get('state')).not.toBeNull();
    await t.http
      .get(`${API}/sign_in/${google}/callback`)
      .query({ state: callback.url.searchParams.get('state'), code: 'x' })
      .expect(400);
    await exchange(t, loginCode!).expect(401);
  });
});
