import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../src/housekeeping/housekeeping.service.js';
import { createKey } from './helpers/api-keys.js';
import { BrowserSession, fieldValue, formAction } from './helpers/browser-session.js';
import { textOf } from './helpers/login-pages.js';
import { LogoutReceiver } from './helpers/logout-receiver.js';
import {
  authorizationRequest,
  client,
  oauthError,
  type OidcTestApp,
  registerClient,
  type RegisteredTestClient,
  relyingParty,
  signIn,
  startOidcTestApp,
} from './helpers/oidc-rp.js';
import { basic, createActiveUser, forgetLastCodeTime, PASSWORD } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from './helpers/totp.js';

const APPS = '/one_auth/api/user/apps';
const RETURN_TO = 'https://app.example.com/signed-out';

describe('the account decides at the provider (47, 48, 50)', () => {
  let t: OidcTestApp;
  let receiver: LogoutReceiver;
  let registered: RegisteredTestClient;
  let config: client.Configuration;
  let operatorKey: string;

  beforeAll(async () => {
    t = await startOidcTestApp();
    receiver = new LogoutReceiver(t.issuer, () => registered.clientId);
    await receiver.start();
    registered = await registerClient(t, {
      client_name: 'Wiki',
      backchannel_logout_uri: receiver.url,
      post_logout_redirect_uris: [RETURN_TO],
    });
    config = await relyingParty(t.issuer, registered);
    ({ key: operatorKey } = await createKey(t.app, 'users:read,users:write'));
  });

  afterAll(async () => {
    await receiver?.stop();
    await t?.close();
  });

  const person = async () => {
    const user = await createActiveUser(t);
    return { ...user, answers: { email: user.email, password: user.password } };
  };
  const offline = { scope: 'openid email offline_access' };
  const idOf = async (email: string) =>
    ((await t.dataSource.query('SELECT id FROM users WHERE email = ?', [email])) as { id: number }[])[0].id;
  /** Logout tokens received from now on. */
  const logoutsFrom = (start: number) => ({ next: (count = 1) => receiver.waitFor(start + count).then((all) => all.slice(start)) });
  /** Whether the browser is still signed in at the provider: prompt=none answers without a page. */
  async function signedIn(browser: BrowserSession): Promise<boolean> {
    const request = await authorizationRequest(config, { prompt: 'none' });
    const { leftTo } = await browser.follow(request.url, t.origin);
    return new URL(leftTo!).searchParams.get('error') === null;
  }

  it('ends the browser session on RP-initiated logout: at once with a valid id_token_hint, back at the registered URI with state (47)', async () => {
    const user = await person();
    const { tokens, browser } = await signIn(config, user.answers);
    const logouts = logoutsFrom(receiver.received.length);
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: RETURN_TO,
      state: 'bye-42',
    });
    const { page, leftTo } = await browser.follow(url.href, t.origin);
    expect(page.status).toBe(303);
    expect(leftTo).toBe(`${RETURN_TO}?state=bye-42`);
    expect(await signedIn(browser)).toBe(false);
    // The app hears of it on its back channel (48), with the ID token's sub and sid, verified against the JWKS.
    const [logout] = await logouts.next();
    expect(logout.problems).toEqual([]);
    expect(logout.claims).toMatchObject({ iss: t.issuer, aud: registered.clientId, sub: tokens.claims()!.sub, sid: tokens.claims()!.sid });
    expect(logout.claims.jti).toEqual(expect.any(String));
    expect(logout.header.typ).toBe('logout+jwt');
  });

  it('asks first without an id_token_hint, and never returns to an unregistered URI (47)', async () => {
    const user = await person();
    const { browser } = await signIn(config, user.answers);
    const ask = await browser.follow(client.buildEndSessionUrl(config).href, t.origin);
    expect(ask.page.status).toBe(200);
    expect(ask.page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(textOf(ask.page.body)).toContain('Sign out of one_auth?');
    const action = new URL(formAction(ask.page.body, '/session/end/confirm')!, ask.page.url).href;
    const done = await browser.follow(action, t.origin, { form: { xsrf: fieldValue(ask.page.body, 'xsrf')!, logout: 'yes' } });
    expect(done.page.status).toBe(200);
    expect(textOf(done.page.body)).toContain('You are signed out');
    expect(await signedIn(browser)).toBe(false);

    const again = await signIn(config, user.answers);
    const evil = client.buildEndSessionUrl(config, {
      id_token_hint: again.tokens.id_token!,
      post_logout_redirect_uri: 'https://evil.example.com/',
    });
    const refused = await again.browser.request(evil.href);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    expect(await signedIn(again.browser)).toBe(true);
  });

  it('delivers a back-channel logout to a receiver that was down, from the outbox, with the same jti (48)', async () => {
    const user = await person();
    const { tokens } = await signIn(config, { ...user.answers }, offline);
    // An earlier test's logout may still be on its way: the refusals below are for this one.
    await expect
      .poll(
        async () => {
          const [owed] = (await t.dataSource.query(
            "SELECT COUNT(*) AS owed FROM oidc_logout_deliveries WHERE client_id = ? AND status <> 'delivered'",
            [registered.clientId],
          )) as { owed: number | string }[];
          return Number(owed.owed);
        },
        { timeout: 10_000 },
      )
      .toBe(0);
    const logouts = logoutsFrom(receiver.received.length);
    receiver.failNext = 2;
    // Signing out everywhere (11) ends the provider's sessions too; the request does not wait for the app.
    await t.http.delete('/one_auth/api/access_tokens?scope=all').set('Authorization', basic(user.email, user.token)).expect(200);
    const [logout] = await logouts.next();
    expect(receiver.refused).toBeGreaterThanOrEqual(2);
    expect(logout.problems).toEqual([]);
    expect(logout.claims).toMatchObject({ sub: tokens.claims()!.sub, sid: tokens.claims()!.sid });
    const [row] = (await t.dataSource.query(
      "SELECT attempts, status, payload FROM oidc_logout_deliveries WHERE client_id = ? AND status = 'delivered' ORDER BY id DESC LIMIT 1",
      [registered.clientId],
    )) as { attempts: number | string; status: string; payload: string }[];
    expect(Number(row.attempts)).toBe(3);
    // Nothing about the person is kept once delivered.
    expect(row.payload).toBe('');
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('refuses a disabled account everywhere: refresh invalid_grant, userinfo 401, introspection inactive (34)', async () => {
    const user = await person();
    const { tokens } = await signIn(config, user.answers, offline);
    const logouts = logoutsFrom(receiver.received.length);
    await t.http
      .put(`/one_auth/admin/api/users/${await idOf(user.email)}/status`)
      .set('Authorization', `Bearer ${operatorKey}`)
      .send({ status: 'disabled' })
      .expect(200);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub))).toBe('invalid_token');
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    expect((await logouts.next())[0].claims.sub).toBe(tokens.claims()!.sub);
  });

  it('refuses the tokens of an account disabled behind the provider’s back, even before they are revoked', async () => {
    const user = await person();
    const { tokens } = await signIn(config, user.answers, offline);
    await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE email = ?", [user.email]);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub))).toBe('invalid_token');
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
  });

  it('ends the browser session and refresh tokens when the password changes (17) or is reset (3)', async () => {
    const user = await person();
    const { tokens, browser } = await signIn(config, user.answers, offline);
    await t.http
      .put('/one_auth/api/user/password')
      .set('Authorization', basic(user.email, user.token))
      .send({ password: user.password, new_password: 'another correct horse battery' })
      .expect(200);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await signedIn(browser)).toBe(false);

    const after = await signIn(config, { email: user.email, password: 'another correct horse battery' }, offline);
    await forgetLastCodeTime(t, user.email);
    const mailed = t.smtp.mailsTo(user.email).length;
    await t.http.post('/one_auth/api/validation_code').send({ email: user.email }).expect(202);
    // The next mail that carries a code (the notice of the change may come in between).
    let code = '';
    for (let nth = mailed + 1; !code && nth <= mailed + 3; nth++) code = await t.smtp.waitForCode(user.email, nth).catch(() => '');
    await t.http.put('/one_auth/api/user').send({ email: user.email, validation_code: code, password: PASSWORD }).expect(200);
    expect(await oauthError(client.refreshTokenGrant(config, after.tokens.refresh_token!))).toBe('invalid_grant');
    expect(await signedIn(after.browser)).toBe(false);
  });

  it('ends them when two-step login is turned on (25) or off (26)', async () => {
    const user = await person();
    const before = await signIn(config, user.answers, offline);
    const twoStep = await enableTwoStep(t, user);
    expect(await oauthError(client.refreshTokenGrant(config, before.tokens.refresh_token!))).toBe('invalid_grant');
    await awayFromStepEdge(8_000);
    const during = await signIn(config, { ...user.answers, code: () => totpCode(twoStep.secret) }, offline);
    await t.http
      .delete('/one_auth/api/user/totp')
      .set('Authorization', basic(user.email, user.token))
      .send({ password: user.password, code: totpCode(twoStep.secret, 1) })
      .expect(200);
    expect(await oauthError(client.refreshTokenGrant(config, during.tokens.refresh_token!))).toBe('invalid_grant');
    expect(await signedIn(during.browser)).toBe(false);
  });

  it('lists the apps a person let in, and revokes one at once: its tokens end and it hears of it (50)', async () => {
    const user = await person();
    const other = await person();
    const { tokens } = await signIn(config, user.answers, offline);
    const analytics = await registerClient(t, { client_name: 'Analytics', first_party: false });
    await signIn(await relyingParty(t.issuer, analytics), { ...user.answers, consent: 'allow' }, { scope: 'openid profile' });
    const { body } = await t.http.get(APPS).set('Authorization', basic(user.email, user.token)).expect(200);
    expect(body).toEqual({
      apps: [
        {
          client_id: registered.clientId,
          name: 'Wiki',
          scopes: ['openid', 'email', 'offline_access'],
          granted_at: expect.any(String),
          last_used_at: expect.any(String),
        },
        {
          client_id: analytics.clientId,
          name: 'Analytics',
          scopes: ['openid', 'profile'],
          granted_at: expect.any(String),
          last_used_at: expect.any(String),
        },
      ],
    });
    expect(Date.parse(body.apps[0].last_used_at)).toBeGreaterThanOrEqual(Date.parse(body.apps[0].granted_at));
    // Nobody else's.
    await t.http
      .delete(`${APPS}/${registered.clientId}`)
      .set('Authorization', basic(other.email, other.token))
      .expect(404, { message: 'App not found' });
    await t.http
      .delete(`${APPS}/${'0'.repeat(32)}`)
      .set('Authorization', basic(user.email, user.token))
      .expect(404, { message: 'App not found' });
    await t.http.get(APPS).set('Authorization', basic(other.email, other.token)).expect(200, { apps: [] });

    const logouts = logoutsFrom(receiver.received.length);
    await t.http
      .delete(`${APPS}/${registered.clientId}`)
      .set('Authorization', basic(user.email, user.token))
      .expect(200, { message: 'success' });
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub))).toBe('invalid_token');
    const [logout] = await logouts.next();
    expect(logout.claims).toMatchObject({ sub: tokens.claims()!.sub, sid: tokens.claims()!.sid });
    const left = await t.http.get(APPS).set('Authorization', basic(user.email, user.token)).expect(200);
    expect(left.body.apps.map((app: { client_id: string }) => app.client_id)).toEqual([analytics.clientId]);
    await t.http.delete(`${APPS}/${registered.clientId}`).set('Authorization', basic(user.email, user.token)).expect(404);
  });

  it('lists the apps in the export (21), and erases grants and sessions with the account (20)', async () => {
    const user = await person();
    const { tokens } = await signIn(config, user.answers, offline);
    const exported = await t.http.get('/one_auth/api/user/export').set('Authorization', basic(user.email, user.token)).expect(200);
    expect(exported.body.apps).toEqual([expect.objectContaining({ client_id: registered.clientId, name: 'Wiki' })]);
    const [{ public_id: publicId }] = (await t.dataSource.query('SELECT public_id FROM users WHERE email = ?', [user.email])) as {
      public_id: string;
    }[];
    const held = async () =>
      Number(
        ((await t.dataSource.query('SELECT COUNT(*) AS n FROM oidc_records WHERE account_id = ?', [publicId])) as { n: number }[])[0].n,
      );
    expect(await held()).toBeGreaterThan(0);
    const logouts = logoutsFrom(receiver.received.length);
    await t.http.delete('/one_auth/api/user').auth(user.email, user.password).expect(200);
    expect(await held()).toBe(0);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect((await logouts.next())[0].claims.sub).toBe(publicId);
  });

  it('prunes what expired in the housekeeping sweep, and keeps what lives', async () => {
    const user = await person();
    const { tokens } = await signIn(config, user.answers, offline);
    await t.dataSource.query("UPDATE oidc_records SET expires_at = 1 WHERE model = 'AccessToken'");
    const report = await t.app.get(HousekeepingService).runOnce();
    expect(report.oidcRecords).toBeGreaterThan(0);
    expect(
      Number(((await t.dataSource.query("SELECT COUNT(*) AS n FROM oidc_records WHERE model = 'AccessToken'")) as { n: number }[])[0].n),
    ).toBe(0);
    expect(await oauthError(client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub))).toBe('invalid_token');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it('keeps no token, code, session id or secret in clear in the database', async () => {
    const user = await person();
    const { tokens, walk } = await signIn(config, user.answers, offline);
    const rows = (await t.dataSource.query('SELECT * FROM oidc_records')) as Record<string, unknown>[];
    const clients = (await t.dataSource.query('SELECT * FROM oidc_clients')) as Record<string, unknown>[];
    const keys = (await t.dataSource.query('SELECT * FROM oidc_signing_keys')) as Record<string, unknown>[];
    const dump = JSON.stringify([rows, clients, keys]);
    for (const secret of [
      tokens.access_token,
      tokens.refresh_token!,
      walk.callback.searchParams.get('code')!,
      registered.clientSecret!,
      user.email,
    ]) {
      expect(dump).not.toContain(secret);
    }
    expect(dump).not.toMatch(/"d":"/);
  });
});
