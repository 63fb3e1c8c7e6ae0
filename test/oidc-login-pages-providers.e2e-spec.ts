import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from './helpers/api-keys.js';
import { BrowserSession } from './helpers/browser-session.js';
import { pageKind, textOf } from './helpers/login-pages.js';
import { client, exchangeCode, type OidcTestApp, registerClient, relyingParty, startOidcTestApp } from './helpers/oidc-rp.js';
import { headingOf, openSignIn, submit } from './helpers/page-forms.js';
import { addUpstream } from './helpers/social-sign-in.js';
import { createActiveUser, uniqueEmail } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from './helpers/totp.js';
import { UpstreamProvider } from './helpers/upstream-provider.js';
import { userId } from './helpers/webhook-rows.js';

const suffix = () => randomUUID().slice(0, 6);

/**
 * "Continue with …" on the login pages (49 with 51–54): a real upstream
 * OpenID provider (oidc-provider on loopback), one_auth's own callback, and
 * a relying party of one_auth (openid-client) that ends holding tokens, or
 * the sign-in page saying why not. The upstream's redirect URIs are the
 * service's callbacks under its PUBLIC_URL, the origin it listens on.
 */
describe('continue with another provider on the login pages', () => {
  let t: OidcTestApp;
  /** Trusted to vouch for its addresses (`--trust-email`). */
  let trusted: UpstreamProvider;
  /** Not trusted: what it says of addresses is not believed. */
  let untrusted: UpstreamProvider;
  let config: client.Configuration;
  const google = `google-${suffix()}`;
  const other = `other-${suffix()}`;
  const callbackOf = (id: string) => `${t.origin}/one_auth/api/sign_in/${id}/callback`;

  beforeAll(async () => {
    // No SOCIAL_RETURN_URLS: the pages' sign-ins come back to the pages, not to an app's return URL.
    t = await startOidcTestApp();
    trusted = await UpstreamProvider.start([callbackOf(google)]);
    untrusted = await UpstreamProvider.start([callbackOf(other)]);
    await addUpstream(t, trusted, google, true);
    await addUpstream(t, untrusted, other, false);
    config = await relyingParty(t.issuer, await registerClient(t, { client_name: 'Team wiki' }));
  });

  afterAll(async () => {
    await t?.close();
    await trusted?.stop();
    await untrusted?.stop();
  });

  /** A person at an upstream; answers their subject. */
  function person(upstream: UpstreamProvider, email = uniqueEmail('upstream'), verified = true): string {
    const sub = randomUUID();
    upstream.users.set(sub, { email, email_verified: verified });
    return sub;
  }

  /**
   * The sign-in page's "Continue with …" for `providerId`, the upstream's
   * login as `as`, then one_auth's callback in the same browser: where the
   * browser ends (a page of one_auth, or the app's redirect URI).
   */
  async function continueWith(upstream: UpstreamProvider, providerId: string, as: string, browser = new BrowserSession()) {
    const { page, request } = await openSignIn(config, t.origin, { scope: 'openid email' }, browser);
    expect(pageKind(page)).toBe('sign-in');
    const toProvider = await submit(browser, t.origin, page, '/provider', { provider: providerId });
    expect(toProvider.page.status).toBe(303);
    expect(toProvider.leftTo).toMatch(new RegExp(`^${upstream.issuer}/auth\\?`));
    const callback = await upstream.authorize(toProvider.leftTo!, as);
    expect(callback.href.startsWith(callbackOf(providerId))).toBe(true);
    return { ...(await browser.follow(callback.href, t.origin)), request, browser, callback };
  }

  it('shows one "Continue with …" button per enabled provider (51), in one form with the CSRF token, working without JavaScript', async () => {
    const { page } = await openSignIn(config, t.origin);
    const form = /<form[^>]*action="[^"]*\/provider"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
    expect(form).not.toBeNull();
    expect(form![1]).toContain('name="csrf"');
    const buttons = [...form![1].matchAll(/<button[^>]*name="provider"\s+value="([^"]+)"[^>]*>\s*([^<]*?)\s*<\/button>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    const ours = buttons.filter(([id]) => id === google || id === other);
    expect(ours).toEqual([
      [google, `Continue with ${google.charAt(0).toUpperCase()}${google.slice(1)}`],
      [other, `Continue with ${other.charAt(0).toUpperCase()}${other.slice(1)}`],
    ]);
    expect(page.body).not.toMatch(/<script>|style="|\son[a-z]+="/);
  });

  it('signs a new person in through a provider that vouches for the address: the app gets tokens, no login code is ever in a URL', async () => {
    const email = uniqueEmail('continue');
    const sub = person(trusted, email);
    const { leftTo, request, browser } = await continueWith(trusted, google, sub);
    expect(leftTo).toBeDefined();
    const tokens = await exchangeCode(config, new URL(leftTo!), request);
    const claims = tokens.claims()!;
    // RFC 8176 has no method for a sign-in vouched for by another provider: no amr rather than a wrong one.
    expect(claims.amr).toBeUndefined();
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info.email).toBe(email);
    // The way back from the callback carried a one-time ticket only; no login code, token or password anywhere.
    const urls = browser.history.flatMap((response) => [response.url, response.headers.get('location') ?? '']);
    expect(urls.some((url) => /\/interaction\/[^/]+\/provider\/return\?ticket=[A-Za-z0-9_-]{43}$/.test(url))).toBe(true);
    expect(urls.join(' ')).not.toMatch(/login_code|access_token|id_token/);
    // A second sign-in with the same subject opens the same account.
    const again = await continueWith(trusted, google, sub);
    const second = await exchangeCode(config, new URL(again.leftTo!), again.request);
    expect(second.claims()!.sub).toBe(claims.sub);
  });

  it('asks an account with two-step login for its second step on the pages, and only then signs in (amr otp mfa)', async () => {
    const user = await enableTwoStep(t, await createActiveUser(t));
    const sub = person(trusted, user.email);
    const { page, leftTo, request, browser } = await continueWith(trusted, google, sub);
    expect(leftTo).toBeUndefined();
    expect(pageKind(page)).toBe('second-step');
    expect(textOf(page.body)).toContain(user.email);
    const wrong = await submit(browser, t.origin, page, '/second-step', { code: '000000' });
    expect(wrong.page.status).toBe(422);
    await awayFromStepEdge();
    const done = await submit(browser, t.origin, wrong.page, '/second-step', { code: totpCode(user.secret) });
    const tokens = await exchangeCode(config, new URL(done.leftTo!), request);
    expect(tokens.claims()!.amr).toEqual(['otp', 'mfa']);
  });

  it('never takes over an account through a provider not trusted with addresses: link_required, said on the sign-in page', async () => {
    const user = await createActiveUser(t);
    const sub = person(untrusted, user.email);
    const { page, leftTo } = await continueWith(untrusted, other, sub);
    expect(leftTo).toBeUndefined();
    expect(page.status).toBe(401);
    expect(pageKind(page)).toBe('sign-in');
    expect(textOf(page.body)).toContain('There is already a one_auth account with the email address of your');
    expect(page.body).toContain('href="#providers"');
    const rows = (await t.dataSource.query('SELECT COUNT(*) AS n FROM identities WHERE user_id = ?', [await userId(t, user.email)])) as {
      n: number | string;
    }[];
    expect(Number(rows[0].n)).toBe(0);
  });

  it('leads a new address the provider could not vouch for to the sign-up code page: the code mailed as registration mails one', async () => {
    const email = uniqueEmail('unverified');
    const sub = person(untrusted, email, false);
    const { page, leftTo, browser, request } = await continueWith(untrusted, other, sub);
    expect(leftTo).toBeUndefined();
    expect(page.url).toMatch(/\/sign-up\/code$/);
    expect(headingOf(page)).toBe('Check your email');
    expect(textOf(page.body)).toContain(`did not confirm your email address to us, so we sent a 6-digit code to ${email}`);
    const code = await t.smtp.waitForCode(email);
    const toPassword = await submit(browser, t.origin, page, '/sign-up/code', { code });
    const done = await submit(browser, t.origin, toPassword.page, '/sign-up/password', { password: 'a long and fresh passphrase' });
    const tokens = await exchangeCode(config, new URL(done.leftTo!), request);
    expect(tokens.claims()!.amr).toEqual(['pwd']);
  });

  it('says so when the person refuses at the provider, and when the account is disabled', async () => {
    const refused = await continueWith(trusted, google, 'deny');
    expect(refused.page.status).toBe(401);
    expect(textOf(refused.page.body)).toContain(`Signing in with ${google.charAt(0).toUpperCase()}${google.slice(1)} was cancelled.`);

    const user = await createActiveUser(t);
    const sub = person(trusted, user.email);
    const linked = await continueWith(trusted, google, sub);
    expect(linked.leftTo).toBeDefined();
    const { key } = await createKey(t.app, 'users:write');
    await t.http
      .put(`/one_auth/admin/api/users/${await userId(t, user.email)}/status`)
      .set('Authorization', `Bearer ${key}`)
      .send({ status: 'disabled' })
      .expect(200);
    const disabled = await continueWith(trusted, google, sub);
    expect(disabled.leftTo).toBeUndefined();
    expect(disabled.page.status).toBe(401);
    expect(textOf(disabled.page.body)).toContain('Your one_auth account is disabled, so you cannot sign in with it.');
  });

  it('binds the answer to the browser that started: its return URL works once, and not in another browser', async () => {
    const sub = person(trusted);
    const starter = new BrowserSession();
    const { page } = await openSignIn(config, t.origin, {}, starter);
    const toProvider = await submit(starter, t.origin, page, '/provider', { provider: google });
    const callback = await trusted.authorize(toProvider.leftTo!, sub);
    // Someone else's browser brings the provider's answer (a person lured into finishing another's sign-in):
    // the interaction's page refuses it, having no cookie of that interaction, and the starter cannot use it either.
    const stranger = new BrowserSession();
    const landed = await stranger.request(callback.href);
    expect(landed.status).toBe(302);
    const returnUrl = new URL(landed.headers.get('location')!);
    expect(returnUrl.pathname).toMatch(/\/provider\/return$/);
    const refusedToStranger = await stranger.request(returnUrl.href);
    expect(refusedToStranger.status).toBe(400);
    expect(textOf(refusedToStranger.body)).toContain('session_not_found');
    const withoutTicket = await starter.follow(`${returnUrl.origin}${returnUrl.pathname}`, t.origin);
    expect(withoutTicket.leftTo).toBeUndefined();
    expect(textOf(withoutTicket.page.body)).toContain('took too long or was already used');
    // The starter's browser with the ticket (the ordinary case) signs in; the same URL again does not.
    const fresh = new BrowserSession();
    const second = await openSignIn(config, t.origin, {}, fresh);
    const again = await submit(fresh, t.origin, second.page, '/provider', { provider: google });
    const answer = await fresh.request((await trusted.authorize(again.leftTo!, sub)).href);
    const ticketUrl = new URL(answer.headers.get('location')!).href;
    const done = await fresh.follow(ticketUrl, t.origin);
    expect(done.leftTo).toBeDefined();
    await exchangeCode(config, new URL(done.leftTo!), second.request);
    const replay = await fresh.request(ticketUrl);
    expect(replay.status).toBe(400);
  });

  it('refuses a "Continue with …" form without its CSRF token, and names a provider that is gone', async () => {
    const { page, browser } = await openSignIn(config, t.origin);
    const forged = await browser.request(new URL(/action="([^"]*\/provider)"/.exec(page.body)![1], page.url).href, {
      form: { csrf: 'forged', provider: google },
    });
    expect(forged.status).toBe(403);
    const gone = await submit(browser, t.origin, page, '/provider', { provider: 'no-such-provider' });
    expect(gone.page.status).toBe(404);
    expect(textOf(gone.page.body)).toContain('That way of signing in is no longer offered');
  });
});

/** Two instances on one database behind one address: the provider's callback lands on the one that did not start the sign-in. */
describe('continue with another provider across instances', () => {
  let a: OidcTestApp;
  let b: OidcTestApp;
  let upstream: UpstreamProvider;
  const id = `google-${suffix()}`;

  beforeAll(async () => {
    const secret = randomBytes(32).toString('hex');
    a = await startOidcTestApp({ SECRET: secret });
    b = await startOidcTestApp({ SECRET: secret, DATA_DIR: a.dataDir, OIDC_ISSUER: a.issuer, PUBLIC_URL: a.origin });
    upstream = await UpstreamProvider.start([`${a.origin}/one_auth/api/sign_in/${id}/callback`]);
    await addUpstream(a, upstream, id, true);
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await upstream?.stop();
  });

  it('starts on one instance, takes the callback on the other, and finishes on the first', async () => {
    const config = await relyingParty(a.issuer, await registerClient(a));
    const sub = randomUUID();
    upstream.users.set(sub, { email: uniqueEmail('instances'), email_verified: true });
    const browser = new BrowserSession();
    const { page, request } = await openSignIn(config, a.origin, {}, browser);
    const toProvider = await submit(browser, a.origin, page, '/provider', { provider: id });
    const callback = await upstream.authorize(toProvider.leftTo!, sub);
    // The load balancer sends the callback to B.
    const onB = await browser.request(callback.href.replace(a.origin, b.origin));
    expect(onB.status).toBe(302);
    const done = await browser.follow(onB.headers.get('location')!, a.origin);
    expect(done.leftTo).toBeDefined();
    const tokens = await exchangeCode(config, new URL(done.leftTo!), request);
    expect(tokens.claims()!.sub).toBeTruthy();
  });
});
