import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from './helpers/browser-session.js';
import { walkLoginPages } from './helpers/login-pages.js';
import { authorizationRequest, type OidcTestApp, registerClient, relyingParty, signIn, startOidcTestApp } from './helpers/oidc-rp.js';
import { createActiveUser } from './helpers/test-app.js';

/**
 * Apps whose redirect URIs are all on this machine (RFC 8252 §7.3) or an
 * app's own scheme are native apps to the provider. Any program on the
 * device can listen there, so the provider cannot know which app it sends
 * the code to. That matters for a public client, whose code whoever got it
 * can redeem: it is asked on every sign-in (RFC 8252 §8.6). A confidential
 * client's code is worth nothing without its secret: it is asked as a web
 * app is (SPEC 49: a first-party app never, a third-party app once per set
 * of scopes), and can sign in silently with prompt=none.
 */
describe('native apps: when the login pages ask for consent (43, 49)', () => {
  let t: OidcTestApp;
  /** Where the app listens on this machine; the browser stops before it, so nothing needs to. */
  const LOOPBACK = 'http://127.0.0.1:8765/callback';
  const native = { redirect_uris: [LOOPBACK], redirect_uri: LOOPBACK };

  beforeAll(async () => {
    t = await startOidcTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const person = async () => {
    const user = await createActiveUser(t);
    return { email: user.email, password: user.password, consent: 'allow' as const };
  };

  it('never asks a first-party confidential app on a loopback address, and signs in again silently with prompt=none', async () => {
    const config = await relyingParty(t.issuer, await registerClient(t, { client_name: 'Desk wiki', redirect_uris: native.redirect_uris }));
    const answers = await person();
    const browser = new BrowserSession();
    const first = await signIn(config, answers, { redirect_uri: LOOPBACK }, browser);
    expect(first.walk.shown).toEqual(['sign-in']);
    const silent = await signIn(config, answers, { redirect_uri: LOOPBACK, prompt: 'none' }, browser);
    expect(silent.walk.shown).toEqual([]);
    expect(silent.tokens.claims()!.sub).toBe(first.tokens.claims()!.sub);
  });

  it('asks a third-party confidential app on a loopback address once for a set of scopes', async () => {
    const registered = await registerClient(t, { client_name: 'Desk reports', redirect_uris: native.redirect_uris, first_party: false });
    const config = await relyingParty(t.issuer, registered);
    const answers = await person();
    const browser = new BrowserSession();
    const first = await signIn(config, answers, { redirect_uri: LOOPBACK, scope: 'openid email' }, browser);
    expect(first.walk.shown).toEqual(['sign-in', 'consent']);
    const again = await signIn(config, answers, { redirect_uri: LOOPBACK, scope: 'openid email' }, browser);
    expect(again.walk.shown).toEqual([]);
  });

  it('asks a public app on a loopback address on every sign-in, even a first-party one; prompt=none cannot skip it', async () => {
    const registered = await registerClient(t, {
      client_name: 'Desk tool',
      redirect_uris: native.redirect_uris,
      token_endpoint_auth_method: 'none',
    });
    const config = await relyingParty(t.issuer, registered);
    const answers = await person();
    const browser = new BrowserSession();
    const first = await signIn(config, answers, { redirect_uri: LOOPBACK }, browser);
    expect(first.walk.shown).toEqual(['sign-in', 'consent']);
    const again = await signIn(config, answers, { redirect_uri: LOOPBACK }, browser);
    expect(again.walk.shown).toEqual(['consent']);
    const silent = await authorizationRequest(config, { redirect_uri: LOOPBACK, prompt: 'none' });
    const walk = await walkLoginPages(browser, silent.url, answers);
    expect(walk.shown).toEqual([]);
    expect(walk.callback.searchParams.get('error')).toBe('interaction_required');
    expect(walk.callback.searchParams.get('state')).toBe(silent.state);
  });
});
