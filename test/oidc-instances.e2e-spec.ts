import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, fieldValue, formAction } from './helpers/browser-session.js';
import { pageKind } from './helpers/login-pages.js';
import {
  authorizationRequest,
  client,
  exchangeCode,
  noteTokens,
  oauthError,
  type OidcTestApp,
  registerClient,
  relyingParty,
  startOidcTestApp,
} from './helpers/oidc-rp.js';
import { createActiveUser } from './helpers/test-app.js';

/**
 * Two instances of the service on one database (and one SECRET), as behind a
 * load balancer: everything the provider keeps is in the database, so each
 * step of a sign-in may land on either.
 */
describe('the OpenID Provider on two instances', () => {
  let a: OidcTestApp;
  let b: OidcTestApp;

  beforeAll(async () => {
    const secret = randomBytes(32).toString('hex');
    a = await startOidcTestApp({ SECRET: secret });
    // B serves the same issuer (A's URL): a load balancer would send the browser to either.
    b = await startOidcTestApp({ SECRET: secret, DATA_DIR: a.dataDir, OIDC_ISSUER: a.issuer });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** The same URL on the other instance. */
  const on = (instance: OidcTestApp, url: string) => url.replace(a.origin, instance.origin);

  it('finishes on one instance a login begun on the other, and honours its tokens on both', async () => {
    const user = await createActiveUser(a);
    const registered = await registerClient(a);
    const config = await relyingParty(a.issuer, registered);
    const request = await authorizationRequest(config, { scope: 'openid email offline_access' });
    const browser = new BrowserSession();
    // The authorization request on A, its login page and password on B, back to A for the redirect.
    const first = await browser.request(request.url);
    const pageUrl = new URL(first.headers.get('location')!, a.origin).href;
    const page = await browser.request(on(b, pageUrl));
    expect(pageKind(page)).toBe('sign-in');
    const posted = await browser.request(on(b, new URL(formAction(page.body, '/login')!, pageUrl).href), {
      form: { csrf: fieldValue(page.body, 'csrf')!, email: user.email, password: user.password },
    });
    const resumed = await browser.request(new URL(posted.headers.get('location')!, a.origin).href);
    const callback = new URL(resumed.headers.get('location')!);
    expect(callback.searchParams.get('code')).toBeTruthy();

    // The code exchanged through B, userinfo through A.
    const viaB = await relyingParty(a.issuer, registered);
    viaB[client.customFetch] = (url, options) => fetch(on(b, url), options);
    const tokens = await exchangeCode(viaB, callback, request);
    expect((await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).email).toBe(user.email);
    // A refresh through A, then the rotated token again through B: the grant goes, everywhere.
    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!);
    noteTokens(rotated);
    expect(await oauthError(client.refreshTokenGrant(viaB, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(client.refreshTokenGrant(config, rotated.refresh_token!))).toBe('invalid_grant');
  });

  it('publishes the same keys on both, and a rotation on one is published by the other once it reads the keys again', async () => {
    const keysOf = async (instance: OidcTestApp) =>
      ((await (await fetch(`${instance.origin}/one_auth/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys
        .map((key) => key.kid)
        .sort();
    expect(await keysOf(b)).toEqual(await keysOf(a));
    const { SigningKeys } = await import('../src/oidc/signing-keys.service.js');
    const { OidcProviderHost } = await import('../src/oidc/oidc-provider.host.js');
    await a.app.get(SigningKeys).rotate();
    await a.app.get(OidcProviderHost).refresh();
    expect((await keysOf(a)).length).toBe((await keysOf(b)).length + 2);
    await b.app.get(OidcProviderHost).refresh();
    expect(await keysOf(b)).toEqual(await keysOf(a));
  });
});
