import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableAccount } from './helpers/api-keys.js';
import { BrowserSession, fieldValue, formAction, type PageResponse } from './helpers/browser-session.js';
import { pageKind, textOf, walkLoginPages } from './helpers/login-pages.js';
import {
  authorizationRequest,
  client,
  exchangeCode,
  type OidcTestApp,
  registerClient,
  relyingParty,
  signIn,
  startOidcTestApp,
} from './helpers/oidc-rp.js';
import { type CreationOptions, type RequestOptions, SoftwareAuthenticator } from './helpers/software-authenticator.js';
import { basic, createActiveUser } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from './helpers/totp.js';

describe('the login pages (49)', () => {
  let t: OidcTestApp;
  let config: client.Configuration;

  beforeAll(async () => {
    t = await startOidcTestApp();
    config = await relyingParty(t.issuer, await registerClient(t, { client_name: 'Team <wiki> & "notes"' }));
  });

  afterAll(async () => {
    await t?.close();
  });

  const person = async () => {
    const user = await createActiveUser(t);
    return { ...user, answers: { email: user.email, password: user.password } };
  };

  /** Opens an authorization request in a new browser: the first page it shows. */
  async function openSignIn(parameters: Record<string, string> = {}, browser = new BrowserSession()) {
    const request = await authorizationRequest(config, parameters);
    const { page, leftTo } = await browser.follow(request.url, t.origin);
    return { browser, request, page, leftTo };
  }

  /** The opening tag of the page's input with this id. */
  function inputTag(page: PageResponse, id: string): string {
    const tag = new RegExp(`<input[^>]*\\sid="${id}"[^>]*>`, 's').exec(page.body)?.[0];
    if (!tag) throw new Error(`no input #${id} on the page`);
    return tag;
  }

  /** Posts a page's form (the one whose action ends with `suffix`) with its CSRF token, following redirects on the provider. */
  function submit(browser: BrowserSession, page: PageResponse, suffix: string, form: Record<string, string>) {
    const action = new URL(formAction(page.body, suffix)!, page.url).href;
    return browser.follow(action, t.origin, { form: { csrf: fieldValue(page.body, 'csrf')!, ...form } });
  }

  it('shows a sign-in page a browser and a password manager understand, with the headers SPEC 49 asks for', async () => {
    const { page, browser } = await openSignIn({ login_hint: '"><script>alert(1)</script>@example.com' });
    expect(page.status).toBe(200);
    expect(pageKind(page)).toBe('sign-in');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).toMatch(/^<!DOCTYPE html>\s*<html lang="en">/);
    expect(page.body).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
    expect(page.body).toMatch(/<label for="email">/);
    expect(page.body).toMatch(/<label for="password">/);
    expect(page.body).toMatch(/id="email"[^>]*autocomplete="username webauthn"/s);
    expect(page.body).toMatch(/id="password"[^>]*autocomplete="current-password"/s);
    // The app named the address: the password is what is left to type, so it has the focus.
    expect(inputTag(page, 'password')).toMatch(/\sautofocus[\s>]/);
    expect(inputTag(page, 'email')).not.toMatch(/autofocus|aria-invalid|aria-describedby/);
    // Every value is escaped: the app's name and the login_hint.
    expect(page.body).toContain('Team &lt;wiki&gt; &amp; &quot;notes&quot;');
    expect(page.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.com"');
    const interaction = browser.jar.named('_interaction')[0];
    expect(interaction).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: false });
    expect(interaction.path).toMatch(/^\/one_auth\/oidc\/interaction\//);
    const types = {
      'login.css': /^text\/css/,
      'icon.svg': /^image\/svg\+xml$/,
      'passkey.js': /^text\/javascript/,
      'webauthn.js': /^text\/javascript/,
    };
    for (const [asset, type] of Object.entries(types)) {
      const answer = await fetch(`${t.issuer}/assets/${asset}`);
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(type);
      expect(page.body).toContain(`/one_auth/oidc/assets/${asset}`);
    }
    // The pages' icon, so browsers do not ask the origin for /favicon.ico.
    expect(page.body).toContain('<link rel="icon" href="/one_auth/oidc/assets/icon.svg" type="image/svg+xml" />');
    expect((await fetch(`${t.issuer}/assets/secret.js`)).status).toBe(404);
  });

  it('answers a wrong password, an unknown address and a disabled account alike, and signs nobody in', async () => {
    const user = await person();
    const disabled = await person();
    await disableAccount(t, disabled.email);
    const answers: string[] = [];
    for (const [email, password] of [
      [user.email, 'not the password'],
      [`nobody-${Date.now()}@example.com`, user.password],
      [disabled.email, disabled.password],
    ]) {
      const { page, browser } = await openSignIn();
      const { page: again, leftTo } = await submit(browser, page, '/login', { email, password });
      expect(leftTo).toBeUndefined();
      expect(again.status).toBe(401);
      expect(pageKind(again)).toBe('sign-in');
      answers.push(textOf(again.body).replace(email, 'EMAIL'));
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('Email or password is not correct');
    // An empty form names its fields.
    const { page, browser } = await openSignIn();
    const empty = await submit(browser, page, '/login', { email: '', password: '' });
    expect(empty.page.status).toBe(400);
    expect(textOf(empty.page.body)).toContain('Enter your email address');
    expect(empty.page.body).toContain('href="#email"');
    // Each field names its message and says it has a problem, as GOV.UK's do.
    for (const field of ['email', 'password']) {
      expect(inputTag(empty.page, field)).toContain(`aria-describedby="${field}-error"`);
      expect(inputTag(empty.page, field)).toContain('aria-invalid="true"');
      expect(empty.page.body).toContain(`id="${field}-error"`);
    }
  });

  it('asks for the second step on an account with two-step login: a wrong code is refused, the right one signs in (amr pwd otp mfa)', async () => {
    const user = await enableTwoStep(t, await createActiveUser(t));
    const { page, browser, request } = await openSignIn();
    const second = await submit(browser, page, '/login', { email: user.email, password: user.password });
    expect(pageKind(second.page)).toBe('second-step');
    expect(second.page.body).toMatch(/id="code"[^>]*autocomplete="one-time-code"/s);
    expect(second.page.body).toMatch(/<label for="code">/);
    expect(inputTag(second.page, 'code')).toContain('aria-describedby="code-hint"');
    expect(inputTag(second.page, 'code')).not.toContain('aria-invalid');
    // The address on a line of its own, free to wrap after each "." and "@".
    expect(second.page.body).toContain(`<strong class="email">${user.email.replace(/[.@]/g, '$&<wbr>')}</strong>`);
    const wrong = await submit(browser, second.page, '/second-step', { code: '000000' });
    expect(wrong.page.status).toBe(422);
    expect(textOf(wrong.page.body)).toContain('The code is not correct');
    expect(inputTag(wrong.page, 'code')).toContain('aria-describedby="code-hint code-error"');
    expect(inputTag(wrong.page, 'code')).toContain('aria-invalid="true"');
    expect(inputTag(wrong.page, 'recovery-code')).not.toMatch(/aria-invalid|aria-describedby/);
    await awayFromStepEdge();
    const done = await submit(browser, wrong.page, '/second-step', { code: totpCode(user.secret) });
    const tokens = await exchangeCode(config, new URL(done.leftTo!), request);
    expect(tokens.claims()).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
  });

  it('takes a recovery code as the second step, once', async () => {
    const user = await enableTwoStep(t, await createActiveUser(t));
    const [recovery] = user.recoveryCodes;
    const signInWith = async () => {
      const { page, browser, request } = await openSignIn();
      const second = await submit(browser, page, '/login', { email: user.email, password: user.password });
      return { ...(await submit(browser, second.page, '/second-step', { recovery_code: recovery })), request };
    };
    const first = await signInWith();
    expect((await exchangeCode(config, new URL(first.leftTo!), first.request)).claims()!.amr).toEqual(['pwd', 'otp', 'mfa']);
    const again = await signInWith();
    expect(again.page.status).toBe(422);
    expect(textOf(again.page.body)).toContain('The recovery code is not correct');
  });

  it('signs in with a passkey alone (discoverable), and with a passkey as the second step', async () => {
    const user = await createActiveUser(t);
    const authenticator = new SoftwareAuthenticator(t.origin);
    const creation = await t.http
      .post('/one_auth/api/passkeys/registration/options')
      .auth(user.email, user.token)
      .send({ password: user.password })
      .expect(200);
    await t.http
      .post('/one_auth/api/passkeys')
      .auth(user.email, user.token)
      .send({ response: authenticator.create(creation.body as CreationOptions), name: 'Laptop' })
      .expect(201);
    const withPasskey = async (page: PageResponse, browser: BrowserSession) => {
      const action = new URL(formAction(page.body, '/passkey')!, page.url).href;
      const csrf = fieldValue(page.body, 'csrf')!;
      const options = await browser.request(`${action}/options`, { form: { csrf } });
      expect(options.status).toBe(200);
      const response = authenticator.get(JSON.parse(options.body) as RequestOptions);
      return browser.follow(action, t.origin, { form: { csrf, response: JSON.stringify(response) } });
    };
    // RFC 8176: a passkey synced between devices (backed up) is a software-held key, one bound to its device a hardware-held one.
    const { body } = await t.http.get('/one_auth/api/passkeys').auth(user.email, user.token).expect(200);
    const kind = body.passkeys[0].backed_up ? 'swk' : 'hwk';
    const alone = await openSignIn();
    const done = await withPasskey(alone.page, alone.browser);
    const tokens = await exchangeCode(config, new URL(done.leftTo!), alone.request);
    expect(tokens.claims()!.amr).toEqual([kind, 'user']);

    await enableTwoStep(t, user);
    const twoStep = await openSignIn();
    const second = await submit(twoStep.browser, twoStep.page, '/login', { email: user.email, password: user.password });
    expect(second.page.body).toContain('Use a passkey instead');
    const finished = await withPasskey(second.page, twoStep.browser);
    expect((await exchangeCode(config, new URL(finished.leftTo!), twoStep.request)).claims()!.amr).toEqual(['pwd', kind, 'mfa']);

    // A response the authenticator did not sign for these options is refused on the page.
    const refused = await openSignIn();
    const csrf = fieldValue(refused.page.body, 'csrf')!;
    const forged = await submit(refused.browser, refused.page, '/passkey', { csrf, response: '{"id":"x"}' });
    expect(forged.page.status).toBe(401);
    expect(textOf(forged.page.body)).toContain('Your passkey was not accepted');
  });

  it('asks a third-party app’s consent in words, remembers it per set of scopes, and tells the app of a refusal', async () => {
    const user = await person();
    const thirdParty = await relyingParty(t.issuer, await registerClient(t, { client_name: 'Analytics', first_party: false }));
    const browser = new BrowserSession();
    const first = await authorizationRequest(thirdParty, { scope: 'openid email' });
    const walk = await walkLoginPages(browser, first.url, { ...user.answers, consent: 'allow' });
    expect(walk.shown).toEqual(['sign-in', 'consent']);
    await exchangeCode(thirdParty, walk.callback, first);
    // The same scopes again, in a new browser session: not asked again.
    const again = await signIn(thirdParty, { ...user.answers }, { scope: 'email openid' });
    expect(again.walk.shown).toEqual(['sign-in']);
    // A new scope: asked, for what is new.
    const more = await authorizationRequest(thirdParty, { scope: 'openid email profile' });
    const { page } = await browser.follow(more.url, t.origin);
    expect(pageKind(page)).toBe('consent');
    expect(textOf(page.body)).toContain('See your name, profile picture and department');
    expect(textOf(page.body)).not.toContain('See your email address');
    const refused = await submit(browser, page, '/consent', { decision: 'deny' });
    const callback = new URL(refused.leftTo!);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(more.state);
  });

  it('asks for the password again on prompt=login and when max_age has passed; otherwise the session signs in', async () => {
    // Three second steps within one 30-second step: this step's code, a recovery code, the next step's code (enabling took the one before).
    await awayFromStepEdge(15_000);
    const user = await enableTwoStep(t, await createActiveUser(t));
    const browser = new BrowserSession();
    const answers = (code: () => string) => ({ email: user.email, password: user.password, code });
    const first = await signIn(
      config,
      answers(() => totpCode(user.secret)),
      {},
      browser,
    );
    expect(first.walk.shown).toEqual(['sign-in', 'second-step']);
    const sso = await signIn(
      config,
      answers(() => totpCode(user.secret)),
      {},
      browser,
    );
    expect(sso.walk.shown).toEqual([]);
    expect(sso.tokens.claims()!.auth_time).toBe(first.tokens.claims()!.auth_time);
    const login = await signIn(
      config,
      answers(() => user.recoveryCodes[0]),
      { prompt: 'login' },
      browser,
    );
    expect(login.walk.shown).toEqual(['sign-in', 'second-step']);
    // auth_time is in whole seconds: more than one has passed only after two.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const aged = await signIn(
      config,
      answers(() => totpCode(user.secret, 1)),
      { max_age: '1' },
      browser,
    );
    expect(aged.walk.shown).toEqual(['sign-in', 'second-step']);
    const fresh = await signIn(
      config,
      answers(() => ''),
      { max_age: '3600' },
      browser,
    );
    expect(fresh.walk.shown).toEqual([]);
    const none = await signIn(
      config,
      answers(() => ''),
      { prompt: 'none' },
      browser,
    );
    expect(none.walk.shown).toEqual([]);
    const stranger = await authorizationRequest(config, { prompt: 'none' });
    const { leftTo } = await new BrowserSession().follow(stranger.url, t.origin);
    expect(new URL(leftTo!).searchParams.get('error')).toBe('login_required');
  });

  it('refuses a form without its interaction’s CSRF token, and an interaction that is not this browser’s', async () => {
    const user = await person();
    const mine = await openSignIn();
    const other = await openSignIn();
    const action = new URL(formAction(mine.page.body, '/login')!, mine.page.url).href;
    for (const csrf of ['', 'x'.repeat(43), fieldValue(other.page.body, 'csrf')!]) {
      const refused = await mine.browser.request(action, { form: { csrf, email: user.email, password: user.password } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('location')).toBeNull();
    }
    // The other browser's interaction, opened with this browser's cookie.
    const foreign = await mine.browser.request(other.page.url);
    expect(foreign.status).toBe(400);
    expect(pageKind(foreign)).toBe('other');
    const forgedAction = new URL(formAction(other.page.body, '/login')!, other.page.url).href;
    const forged = await mine.browser.request(forgedAction, {
      form: { csrf: fieldValue(other.page.body, 'csrf')!, email: user.email, password: user.password },
    });
    expect(forged.status).toBe(400);
    // Not a form: refused before anything is read.
    const json = await mine.browser.request(action, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(415);
    // And the right token still works.
    const done = await submit(mine.browser, mine.page, '/login', user.answers);
    expect(done.leftTo).toBeDefined();
  });

  it('says a sign-in is over when its page is asked for again (the Back button), naming the app only to the browser that used it', async () => {
    const user = await person();
    const { page, browser } = await openSignIn();
    const done = await submit(browser, page, '/login', user.answers);
    expect(done.leftTo).toBeDefined();
    // Back to the sign-in page: the provider no longer has the interaction; the browser's cookie still names the app.
    const back = await browser.request(page.url);
    expect(back.status).toBe(400);
    expect(back.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(textOf(back.body)).toContain('This sign-in has finished or expired');
    expect(textOf(back.body)).toContain('Go back to Team &lt;wiki&gt; &amp; &quot;notes&quot; and start again.');
    // The provider's name for it is there for the app's developer, folded away; nothing leads anywhere.
    expect(back.body).toMatch(/<details[^>]*>\s*<summary>Details for the app’s developer<\/summary>[\s\S]*session_not_found/);
    expect(back.body).not.toMatch(/<a\s|<form/);
    // The app's client id and its signature, as the provider's cookies are signed.
    const [app, signature] = ['one_auth_app', 'one_auth_app.sig'].map((name) => browser.jar.named(name)[0]);
    for (const cookie of [app, signature]) {
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: false, path: new URL(page.url).pathname });
    }

    // Another browser, and a cookie carried to another interaction's page, learn nothing of the app.
    const stranger = await new BrowserSession().request(page.url);
    expect(stranger.status).toBe(400);
    expect(textOf(stranger.body)).toContain('Go back to the app you were signing in to and start again.');
    const other = await openSignIn();
    const carried = await new BrowserSession().request(other.page.url, {
      headers: { cookie: `one_auth_app=${app.value}; one_auth_app.sig=${signature.value}` },
    });
    expect(textOf(carried.body)).toContain('Go back to the app you were signing in to and start again.');
    // Nor does a cookie naming another app under this one's signature.
    const otherApp = Buffer.from('another-client').toString('base64url');
    const swapped = await new BrowserSession().request(page.url, {
      headers: { cookie: `one_auth_app=${otherApp}; one_auth_app.sig=${signature.value}` },
    });
    expect(textOf(swapped.body)).toContain('Go back to the app you were signing in to and start again.');
  });

  it('puts failed sign-ins on the page under the login limits: 429 with Retry-After', async () => {
    const user = await person();
    const { page, browser } = await openSignIn();
    let last = page;
    for (let i = 0; i < 10; i++) {
      const { page: again } = await submit(browser, last, '/login', { email: user.email, password: 'wrong password' });
      expect(again.status).toBe(401);
      last = again;
    }
    const limited = await submit(browser, last, '/login', { email: user.email, password: user.password });
    expect(limited.page.status).toBe(429);
    expect(Number(limited.page.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(textOf(limited.page.body)).toContain('Too many failed attempts');
  });

  it('lets a person cancel: the app is told access_denied', async () => {
    const { page, browser, request } = await openSignIn();
    const cancelled = await submit(browser, page, '/cancel', {});
    const callback = new URL(cancelled.leftTo!);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(request.state);
  });

  it('records a sign-in through an app as oidc.sign_in with the app’s name (22)', async () => {
    const user = await person();
    await signIn(config, user.answers);
    const { body } = await t.http.get('/one_auth/api/user/events').set('Authorization', basic(user.email, user.token)).expect(200);
    expect(body.events[0]).toMatchObject({ type: 'oidc.sign_in', app: 'Team <wiki> & "notes"', user_agent: 'one_auth-tests browser' });
  });
});
