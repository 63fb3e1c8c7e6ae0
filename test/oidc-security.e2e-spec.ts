import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRemoval } from '../src/identities/provider-removal.service.js';
import { OidcProviderHost } from '../src/oidc/oidc-provider.host.js';
import { disableAccount } from './helpers/api-keys.js';
import { BrowserSession, decodeHtml, fieldValue, formAction, type PageResponse } from './helpers/browser-session.js';
import { pageKind, textOf } from './helpers/login-pages.js';
import {
  authorizationRequest,
  client,
  noteTokens,
  type OidcTestApp,
  registerClient,
  type RegisteredTestClient,
  relyingParty,
  signIn,
  startOidcTestApp,
  TEST_REDIRECT_URI,
} from './helpers/oidc-rp.js';
import { followLink } from './helpers/page-forms.js';
import { noteSecret } from './helpers/secrets.js';
import { addProvider } from './helpers/social-sign-in.js';
import { basic, createActiveUser, uniqueEmail } from './helpers/test-app.js';
import { enableTwoStep } from './helpers/totp.js';

/*
 * The login pages (49) and the provider's own pages against an attacker:
 * the headers of every page (a policy without inline script or style,
 * framing refused, nothing cached, no referrer), the cookies' flags over
 * http and behind a TLS proxy, forms without their interaction's CSRF
 * token, forged and expired interactions, redirects to anywhere but a
 * registered URI, markup in every value a page shows, and the login limits
 * and one answer for every refusal on the page. What oidc-login-pages
 * already holds (the sign-in page's headers, the login form's CSRF token,
 * the per-account limit, three refusals alike) is extended here, not
 * repeated.
 */

const RETURN_TO = 'https://app.example.com/signed-out';
const OTHER_RETURN_TO = 'https://other.example.com/signed-out';
/** Markup, attribute breakers and a javascript: URL: what a hostile value carries. */
const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>' onfocus='alert(3) javascript:alert(4)`;
/** A provider's name is at most 64 characters: the markup part. */
const HOSTILE_PROVIDER = `"><script>alert(7)</script><img src=x onerror=alert(8)>`;
/** Printed safely, the hostile value reads as text: its escaped form. */
const HOSTILE_ESCAPED =
  '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&#39; onfocus=&#39;alert(3) javascript:alert(4)';

/** The elements of a page and their attributes, as a browser would read the markup (values unescaped). */
function elementsOf(body: string): { tag: string; attributes: [string, string][] }[] {
  const elements = [];
  for (const [, tag, inside] of body.matchAll(
    /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g,
  )) {
    const attributes: [string, string][] = [];
    for (const [, name, value] of inside.matchAll(/\s([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      attributes.push([name.toLowerCase(), decodeHtml((value ?? '').replace(/^["']|["']$/g, ''))]);
    }
    elements.push({ tag: tag.toLowerCase(), attributes });
  }
  return elements;
}

/**
 * What every page shown to a person must carry (SPEC 49): HTML, never
 * cached, a Content-Security-Policy with no inline script or style and no
 * framing (and X-Frame-Options for browsers without frame-ancestors), no
 * referrer, no sniffing; and a body that needs no inline script or style.
 */
function expectPageDefences(page: PageResponse): void {
  const where = `${page.status} ${new URL(page.url).pathname}`;
  expect(page.headers.get('content-type'), where).toBe('text/html; charset=utf-8');
  expect(
    page.headers
      .get('cache-control')
      ?.split(',')
      .map((part) => part.trim()),
    where,
  ).toContain('no-store');
  const csp = policyOf(page.headers.get('content-security-policy') ?? '');
  expect(csp['frame-ancestors'], where).toEqual(["'none'"]);
  expect(csp['default-src'], where).toEqual(["'none'"]);
  expect(csp['base-uri'], where).toEqual(["'none'"]);
  for (const directive of ['script-src', 'style-src']) {
    for (const source of csp[directive] ?? [])
      expect(
        ["'self'", `'sha256-`].some((safe) => source.startsWith(safe)),
        `${where} ${directive} ${source}`,
      ).toBe(true);
  }
  expect(page.headers.get('x-frame-options'), where).toBe('DENY');
  expect(page.headers.get('referrer-policy'), where).toBe('no-referrer');
  expect(page.headers.get('x-content-type-options'), where).toBe('nosniff');
  for (const { tag, attributes } of elementsOf(page.body)) {
    expect(tag, where).not.toBe('style');
    for (const [name] of attributes) expect(name === 'style' || name.startsWith('on'), `${where} <${tag} ${name}>`).toBe(false);
    // Scripts only from the service's own files, or inline with their hash in the policy (the provider's form_post answer).
    if (tag !== 'script') continue;
    const src = attributes.find(([name]) => name === 'src')?.[1];
    if (src !== undefined) expect(src, where).toMatch(/^\/one_auth\/oidc\/assets\/[a-z]+\.js$/);
    else
      expect(
        csp['script-src']?.some((source) => source.startsWith("'sha256-")),
        `${where} inline script`,
      ).toBe(true);
  }
}

function policyOf(header: string): Record<string, string[]> {
  return Object.fromEntries(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

/** The elements the pages are made of: a value that brought any other (an img, an inline script) was not escaped. */
const PAGE_ELEMENTS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'link',
  'script',
  'body',
  'main',
  'div',
  'p',
  'span',
  'strong',
  // A line-break opportunity in an email address, after its "." and "@".
  'wbr',
  'h1',
  'h2',
  'ul',
  'li',
  'a',
  'form',
  'input',
  'label',
  'button',
  'details',
  'summary',
  'dl',
  'dt',
  'dd',
  'code',
]);

/** No markup from a value: only the pages' own elements, no handler, every link and form to the service itself. */
function expectInert(page: PageResponse, issuer: string): void {
  const where = `${page.status} ${new URL(page.url).pathname}`;
  for (const { tag, attributes } of elementsOf(page.body)) {
    expect(PAGE_ELEMENTS.has(tag), `${where} <${tag}>`).toBe(true);
    if (tag === 'script')
      expect(
        attributes.some(([name]) => name === 'src'),
        `${where} inline script`,
      ).toBe(true);
    for (const [name, value] of attributes) {
      expect(name.startsWith('on'), `${where} <${tag} ${name}>`).toBe(false);
      if (!['href', 'src', 'action', 'formaction'].includes(name)) continue;
      expect(
        value.startsWith('/one_auth/oidc/') || value.startsWith('#') || value.startsWith(`${issuer}/`),
        `${where} ${name}=${value}`,
      ).toBe(true);
    }
  }
}

describe('the login pages under attack (49)', () => {
  const hostileProvider = `hostile-${randomBytes(4).toString('hex')}`;
  let t: OidcTestApp;
  let hostile: RegisteredTestClient;
  let hostileRp: client.Configuration;
  let other: RegisteredTestClient;
  let otherRp: client.Configuration;

  beforeAll(async () => {
    t = await startOidcTestApp();
    // A third-party app, so its consent page shows too, whose name is markup.
    hostile = await registerClient(t, { client_name: HOSTILE, first_party: false, post_logout_redirect_uris: [RETURN_TO] });
    hostileRp = await relyingParty(t.issuer, hostile);
    other = await registerClient(t, { client_name: 'Other app', post_logout_redirect_uris: [OTHER_RETURN_TO] });
    otherRp = await relyingParty(t.issuer, other);
    // A provider whose name is markup, for its "Continue with …" button (never contacted: no one continues with it).
    await addProvider(t, {
      id: hostileProvider,
      issuer: 'https://idp.example.com',
      clientId: 'one_auth',
      clientSecret: 'not-used',
      name: HOSTILE_PROVIDER,
    });
  });

  afterAll(async () => {
    // Suites share one database on MariaDB: the next one's pages must not offer it.
    await t?.app.get(ProviderRemoval).remove(hostileProvider, { address: '', userAgent: 'test' });
    await t?.close();
  });

  const person = async () => {
    const user = await createActiveUser(t);
    return { ...user, answers: { email: user.email, password: user.password } };
  };

  /** Posts the form of `page` whose action ends with `suffix`, with its CSRF token unless told otherwise. */
  function submit(browser: BrowserSession, page: PageResponse, suffix: string, form: Record<string, string>) {
    const action = new URL(formAction(page.body, suffix)!, page.url).href;
    return browser.follow(action, t.origin, { form: { csrf: fieldValue(page.body, 'csrf')!, ...form } });
  }

  /** Whether the browser is signed in at the provider: prompt=none answers without a page. */
  async function signedIn(browser: BrowserSession, rp = otherRp): Promise<boolean> {
    const request = await authorizationRequest(rp, { prompt: 'none' });
    const { leftTo } = await browser.follow(request.url, t.origin);
    return new URL(leftTo!).searchParams.get('error') === null;
  }

  it('sends the page headers on every page it shows, and none can be framed (clickjacking)', async () => {
    const user = await enableTwoStep(t, await createActiveUser(t));
    const browser = new BrowserSession();
    // Sign-in, a refusal, an empty form, the second step, a wrong code, the consent page (the hostile app is third-party).
    const request = await authorizationRequest(hostileRp, { scope: 'openid email' });
    const { page } = await browser.follow(request.url, t.origin);
    const refused = await submit(browser, page, '/login', { email: user.email, password: 'not the password' });
    const empty = await submit(browser, refused.page, '/login', { email: '', password: '' });
    const second = await submit(browser, empty.page, '/login', { email: user.email, password: user.password });
    const wrongCode = await submit(browser, second.page, '/second-step', { code: '000000' });
    const recovery = await submit(browser, wrongCode.page, '/second-step', { recovery_code: user.recoveryCodes[0] });
    expect(pageKind(recovery.page)).toBe('consent');
    // The interaction's own error pages: no CSRF token, not a form, no such action, no such interaction.
    await browser.request(new URL(formAction(recovery.page.body, '/consent')!, recovery.page.url).href, { form: { decision: 'allow' } });
    await browser.request(new URL(formAction(recovery.page.body, '/consent')!, recovery.page.url).href, { method: 'POST' });
    await browser.request(`${recovery.page.url}/nothing-here`);
    await browser.request(`${t.issuer}/interaction/${randomBytes(16).toString('base64url')}`);
    const allowed = await submit(browser, recovery.page, '/consent', { decision: 'allow' });
    expect(allowed.leftTo).toBeDefined();
    // The provider's pages: an error it shows instead of redirecting, the answer by form_post, logout and its answer.
    await browser.request((await authorizationRequest(hostileRp, { redirect_uri: 'https://evil.example.com/' })).url);
    const formPost = await browser.follow(
      (await authorizationRequest(hostileRp, { scope: 'openid email', response_mode: 'form_post' })).url,
      t.origin,
    );
    expect(formPost.page.body).toContain(TEST_REDIRECT_URI);
    const logout = await browser.follow(client.buildEndSessionUrl(hostileRp).href, t.origin);
    const action = new URL(formAction(logout.page.body, '/session/end/confirm')!, logout.page.url).href;
    await browser.follow(action, t.origin, { form: { xsrf: fieldValue(logout.page.body, 'xsrf')!, logout: 'yes' } });

    // Creating an account, page by page; resetting a password; a provider that is not there.
    const signUp = new BrowserSession();
    const start = await signUp.follow((await authorizationRequest(otherRp)).url, t.origin);
    const email = uniqueEmail('sign-up');
    const emailPage = await followLink(signUp, t.origin, start.page, '/sign-up');
    const codePage = await submit(signUp, (await submit(signUp, emailPage.page, '/sign-up', { email: '' })).page, '/sign-up', { email });
    const code = await t.smtp.waitForCode(email);
    const wrongSignUpCode = await submit(signUp, codePage.page, '/sign-up/code', { code: code === '000000' ? '111111' : '000000' });
    const passwordPage = await submit(signUp, wrongSignUpCode.page, '/sign-up/code', { code });
    await submit(signUp, passwordPage.page, '/sign-up/password', { password: 'short' });
    const reset = new BrowserSession();
    const resetStart = await reset.follow((await authorizationRequest(otherRp)).url, t.origin);
    const resetPage = await followLink(reset, t.origin, resetStart.page, '/reset');
    await submit(reset, resetPage.page, '/reset', { email: uniqueEmail('nobody') });
    await submit(reset, resetStart.page, '/provider', { provider: 'no-such-provider' });

    // Every page, not the redirects between them.
    const pages = [...browser.history, ...signUp.history, ...reset.history].filter(
      (answer) => answer.headers.get('content-type')?.startsWith('text/html') && answer.headers.get('location') === null,
    );
    expect(
      pages.filter((shown) => /\/(sign-up|reset)(\/code|\/password)?$/.test(new URL(shown.url).pathname)).length,
    ).toBeGreaterThanOrEqual(6);
    const statuses = new Set(pages.map((answer) => answer.status));
    for (const status of [200, 400, 401, 403, 404, 415, 422]) expect(statuses, `a page answered ${status}`).toContain(status);
    expect(pages.length).toBeGreaterThanOrEqual(22);
    for (const shown of pages) expectPageDefences(shown);
  });

  it('marks every cookie HttpOnly and SameSite=Lax, signed, and not Secure while the issuer is http', async () => {
    const user = await person();
    const { browser } = await signIn(otherRp, user.answers);
    const cookies = [...browser.jar.cookies.values()];
    expect(cookies.map((cookie) => cookie.name)).toEqual(expect.arrayContaining(['_session', '_session.sig']));
    for (const cookie of cookies) {
      expect(cookie, cookie.name).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: false });
      if (!cookie.name.endsWith('.sig')) expect(browser.jar.named(`${cookie.name}.sig`), `${cookie.name} is signed`).toHaveLength(1);
    }
    // A session cookie that does not match its signature is no session.
    const forged = new BrowserSession();
    for (const cookie of cookies)
      forged.jar.cookies.set(`${cookie.name};${cookie.path}`, {
        ...cookie,
        value: cookie.name === '_session.sig' ? 'x'.repeat(27) : cookie.value,
      });
    expect(await signedIn(forged)).toBe(false);
    expect(await signedIn(browser)).toBe(true);
  });

  it('refuses every form of the pages without its interaction’s CSRF token: missing, wrong, or another interaction’s', async () => {
    const user = await enableTwoStep(t, await createActiveUser(t));
    const mine = new BrowserSession();
    const { page } = await mine.follow((await authorizationRequest(hostileRp, { scope: 'openid email' })).url, t.origin);
    const theirs = await new BrowserSession().follow((await authorizationRequest(hostileRp)).url, t.origin);
    const second = await submit(mine, page, '/login', { email: user.email, password: user.password });
    expect(pageKind(second.page)).toBe('second-step');
    const tokens = ['', 'x'.repeat(43), fieldValue(theirs.page.body, 'csrf')!];
    const refusedAll = async (shown: PageResponse, forms: [string, Record<string, string>][]) => {
      for (const [suffix, form] of forms) {
        const action = new URL(formAction(shown.body, suffix) ?? `${shown.url}${suffix}`, shown.url).href;
        for (const csrf of tokens) {
          const refused = await mine.request(action, { form: { csrf, ...form } });
          expect(refused.status, `${suffix} with ${JSON.stringify(csrf.slice(0, 8))}`).toBe(403);
          expect(refused.headers.get('location')).toBeNull();
        }
      }
    };
    await refusedAll(second.page, [
      ['/second-step', { recovery_code: user.recoveryCodes[0] }],
      ['/passkey/options', {}],
      ['/cancel', {}],
    ]);
    // Nothing happened: the recovery code is still unused, and it moves on to the consent page.
    const consent = await submit(mine, second.page, '/second-step', { recovery_code: user.recoveryCodes[0] });
    expect(pageKind(consent.page)).toBe('consent');
    await refusedAll(consent.page, [['/consent', { decision: 'allow' }]]);
    expect(pageKind((await mine.follow(consent.page.url, t.origin)).page)).toBe('consent');
    // The provider's logout form carries its own token: a wrong one ends nothing.
    const signedInBrowser = (await signIn(otherRp, { email: user.email, password: user.password, code: () => user.recoveryCodes[1] }))
      .browser;
    const ask = await signedInBrowser.follow(client.buildEndSessionUrl(otherRp).href, t.origin);
    const confirm = new URL(formAction(ask.page.body, '/session/end/confirm')!, ask.page.url).href;
    const wrong = await signedInBrowser.request(confirm, { form: { xsrf: 'x'.repeat(43), logout: 'yes' } });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('location')).toBeNull();
    expect(await signedIn(signedInBrowser)).toBe(true);
  });

  it('refuses the forms of creating an account and resetting a password without their CSRF token, and nothing happens', async () => {
    const mine = new BrowserSession();
    const start = await mine.follow((await authorizationRequest(otherRp)).url, t.origin);
    const theirs = await new BrowserSession().follow((await authorizationRequest(otherRp)).url, t.origin);
    const tokens = ['', 'x'.repeat(43), fieldValue(theirs.page.body, 'csrf')!];
    const refused = async (shown: PageResponse, suffix: string, form: Record<string, string>) => {
      const action = new URL(formAction(shown.body, suffix)!, shown.url).href;
      for (const csrf of tokens) {
        const answer = await mine.request(action, { form: { csrf, ...form } });
        expect(answer.status, `${suffix} with ${JSON.stringify(csrf.slice(0, 8))}`).toBe(403);
        expect(answer.headers.get('location')).toBeNull();
      }
    };
    const email = uniqueEmail('csrf');
    const emailPage = await followLink(mine, t.origin, start.page, '/sign-up');
    await refused(emailPage.page, '/sign-up', { email });
    expect(t.smtp.mailsTo(email)).toHaveLength(0);
    const codePage = await submit(mine, emailPage.page, '/sign-up', { email });
    const code = await t.smtp.waitForCode(email);
    await refused(codePage.page, '/sign-up/resend', {});
    await refused(codePage.page, '/sign-up/code', { code });
    const passwordPage = await submit(mine, codePage.page, '/sign-up/code', { code });
    await refused(passwordPage.page, '/sign-up/password', { password: 'a new password of ours' });
    // The account has no password yet, and only one code was ever mailed.
    await t.http.get('/one_auth/api/access_tokens').set('Authorization', basic(email, 'a new password of ours')).expect(401);
    expect(t.smtp.mailsTo(email)).toHaveLength(1);
    const resetPage = await followLink(
      mine,
      t.origin,
      (await mine.follow((await authorizationRequest(otherRp)).url, t.origin)).page,
      '/reset',
    );
    const user = await person();
    const mailed = t.smtp.mailsTo(user.email).length;
    await refused(resetPage.page, '/reset', { email: user.email });
    expect(t.smtp.mailsTo(user.email)).toHaveLength(mailed);
  });

  it('answers a forged, a foreign, a finished or an expired interaction with an error page, and signs nobody in', async () => {
    const user = await person();
    const browser = new BrowserSession();
    const request = await authorizationRequest(otherRp);
    const { page } = await browser.follow(request.url, t.origin);
    const uid = new URL(page.url).pathname.split('/').pop()!;
    const csrf = fieldValue(page.body, 'csrf')!;
    const login = (path: string) => browser.request(`${t.issuer}/interaction/${path}/login`, { form: { csrf, ...user.answers } });
    // A forged id, and one carrying markup: neither is this browser's interaction, and neither is printed back.
    for (const forged of [randomBytes(32).toString('base64url'), encodeURIComponent('<script>alert(1)</script>'), `${uid}x`]) {
      const shown = await browser.request(`${t.issuer}/interaction/${forged}`);
      expect(shown.status, forged).toBe(400);
      expect(shown.body).not.toContain('<script>alert');
      expect(shown.body).not.toContain(decodeURIComponent(forged));
      expect((await login(forged)).status, forged).toBe(400);
    }
    // Expired: the provider's own record of it says so, as an hour's wait would (beyond its 15 s of clock tolerance).
    const interaction = await t.app.get(OidcProviderHost).current.Interaction.find(uid);
    await interaction!.save(-60);
    const expired = await browser.request(page.url);
    expect(expired.status).toBe(400);
    expect(textOf(expired.body)).toContain('This sign-in has finished or expired');
    expect((await login(uid)).status).toBe(400);
    expect(await signedIn(browser)).toBe(false);
    // Finished: once signed in, its pages are gone.
    const done = await signIn(otherRp, user.answers);
    const finished = done.browser.history.find((answer) => pageKind(answer) === 'sign-in')!;
    const again = await done.browser.request(new URL(formAction(finished.body, '/login')!, finished.url).href, {
      form: { csrf: fieldValue(finished.body, 'csrf')!, ...user.answers },
    });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
  });

  it('limits an address without an account as it limits an account: the same 429 page after ten failures', async () => {
    const limitedAnswer = async (email: string) => {
      const browser = new BrowserSession();
      let { page } = await browser.follow((await authorizationRequest(otherRp)).url, t.origin);
      for (let i = 0; i < 10; i++) ({ page } = await submit(browser, page, '/login', { email, password: 'not the password' }));
      const limited = await submit(browser, page, '/login', { email, password: 'not the password' });
      expectPageDefences(limited.page);
      return {
        status: limited.page.status,
        retryAfter: Number(limited.page.headers.get('retry-after')),
        text: textOf(limited.page.body).replace(email, 'EMAIL'),
      };
    };
    const known = await limitedAnswer((await person()).email);
    const unknown = await limitedAnswer(uniqueEmail('nobody'));
    expect(known.status).toBe(429);
    expect(unknown.retryAfter).toBeGreaterThan(0);
    expect({ ...unknown, retryAfter: 0 }).toEqual({ ...known, retryAfter: 0 });
  });

  it('answers an unknown address, a disabled, a never activated and a two-step account alike, as a wrong password', async () => {
    const baseline = await person();
    const disabled = await person();
    await disableAccount(t, disabled.email);
    const pending = uniqueEmail('pending');
    await t.http.post('/one_auth/api/user').send({ email: pending }).expect(201);
    const twoStep = await enableTwoStep(t, await createActiveUser(t));
    const answers = new Map<string, { status: number; text: string }>();
    for (const [label, email, password] of [
      ['wrong password', baseline.email, 'not the password'],
      ['unknown address', uniqueEmail('nobody'), baseline.password],
      ['disabled, right password', disabled.email, disabled.password],
      ['never activated', pending, baseline.password],
      ['two-step, wrong password', twoStep.email, 'not the password'],
    ]) {
      const browser = new BrowserSession();
      const { page } = await browser.follow((await authorizationRequest(otherRp)).url, t.origin);
      const { page: answer, leftTo } = await submit(browser, page, '/login', { email, password });
      expect(leftTo, label).toBeUndefined();
      answers.set(label, { status: answer.status, text: textOf(answer.body).replace(email, 'EMAIL') });
    }
    expect(new Set([...answers.values()].map((answer) => JSON.stringify(answer))).size, JSON.stringify([...answers])).toBe(1);
  });

  it('never redirects to a redirect_uri that is not registered exactly, whatever else the request says', async () => {
    const variants = [
      'https://app.example.com/callbac',
      'https://app.example.com/callback/',
      'https://app.example.com/Callback',
      'https://APP.EXAMPLE.COM/callback',
      'HTTPS://app.example.com/callback',
      'http://app.example.com/callback',
      'https://app.example.com:443/callback',
      'https://app.example.com:8443/callback',
      'https://app.example.com/x/../callback',
      'https://app.example.com/%63allback',
      'https://app.example.com/callback#fragment',
      'https://app.example.com.evil.example/callback',
      'https://app.example.com@evil.example.com/callback',
      '//evil.example.com/callback',
      'javascript:alert(1)//https://app.example.com/callback',
      'data:text/html,<script>alert(1)</script>',
      ` ${TEST_REDIRECT_URI}`,
    ];
    // Alone, and with errors that would otherwise be sent back to the app.
    const errors: Record<string, string>[] = [
      {},
      { response_type: 'token' },
      { prompt: 'none' },
      { code_challenge_method: 'plain' },
      { scope: 'profile' },
    ];
    for (const redirect of variants) {
      for (const extra of errors) {
        const browser = new BrowserSession();
        const request = await authorizationRequest(otherRp, { redirect_uri: redirect, ...extra });
        const { page, leftTo } = await browser.follow(request.url, t.origin);
        const label = `${redirect} ${JSON.stringify(extra)}`;
        expect(leftTo, label).toBeUndefined();
        expect(
          browser.history.every((answer) => answer.headers.get('location') === null),
          label,
        ).toBe(true);
        expect(page.status, label).toBe(400);
        expect(textOf(page.body), label).toContain('has not registered');
        expectInert(page, t.issuer);
        expect(page.body, label).not.toContain('evil.example');
      }
    }
  });

  it('returns after logout only to a registered post_logout_redirect_uri of that app, with a valid id_token_hint of this session', async () => {
    const user = await person();
    const { tokens, browser } = await signIn(otherRp, user.answers);
    const idToken = tokens.id_token!;
    const endSession = (parameters: Record<string, string>) => {
      const url = new URL(`${t.issuer}/session/end`);
      for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
      // As a browser navigates: it accepts HTML (the provider answers JSON otherwise).
      return browser.request(url.href, { headers: { accept: 'text/html' } });
    };
    const [header, payload, signature] = idToken.split('.');
    const tampered = Buffer.from(signature, 'base64url');
    tampered[0] ^= 1;
    const refusals: Record<string, string>[] = [
      // Another app's registered URI, with this app's hint; or naming the other app against this app's hint.
      { id_token_hint: idToken, post_logout_redirect_uri: RETURN_TO },
      { id_token_hint: idToken, client_id: hostile.clientId, post_logout_redirect_uri: RETURN_TO },
      // A hint not signed by the provider: unsigned, or its signature altered.
      { id_token_hint: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`, post_logout_redirect_uri: OTHER_RETURN_TO },
      { id_token_hint: `${header}.${payload}.${tampered.toString('base64url')}`, post_logout_redirect_uri: OTHER_RETURN_TO },
      // No hint, and a URI this app did not register.
      { client_id: other.clientId, post_logout_redirect_uri: 'https://evil.example.com/' },
      { client_id: other.clientId, post_logout_redirect_uri: `${OTHER_RETURN_TO}/more` },
    ];
    for (const parameters of refusals) {
      const answer = await endSession(parameters);
      expect(answer.status, JSON.stringify(parameters)).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
      expectPageDefences(answer);
      expect(answer.body).not.toContain('evil.example');
    }
    expect(await signedIn(browser)).toBe(true);
    // No hint, or another person's: the person is asked first, and is still signed in until they say so.
    const stranger = await signIn(otherRp, (await person()).answers);
    for (const parameters of <Record<string, string>[]>[
      { client_id: other.clientId, post_logout_redirect_uri: OTHER_RETURN_TO },
      { id_token_hint: stranger.tokens.id_token!, post_logout_redirect_uri: OTHER_RETURN_TO },
    ]) {
      const asked = await endSession(parameters);
      expect(asked.status, JSON.stringify(parameters)).toBe(200);
      expect(asked.headers.get('location')).toBeNull();
      expect(textOf(asked.body)).toContain('Sign out of one_auth?');
      expect(await signedIn(browser)).toBe(true);
    }
  });

  it('prints every value a page shows as inert text: the app’s name, the email, login_hint, ui_locales, scopes, error details', async () => {
    // An address with the characters an email may have and markup may use.
    const email = uniqueEmail("o'brien&co").replace('@', "+'x&y@");
    const user = await enableTwoStep(t, await createActiveUser(t, email));
    const browser = new BrowserSession();
    // A scope value takes no space or double quote, the rest of the markup it may carry.
    const request = await authorizationRequest(hostileRp, {
      scope: `openid email <script>alert(5)</script><img/src=x/onerror=alert(6)>`,
      login_hint: HOSTILE,
      ui_locales: HOSTILE,
      claims_locales: HOSTILE,
    });
    const { page } = await browser.follow(request.url, t.origin);
    expect(pageKind(page)).toBe('sign-in');
    expect(page.body).toContain(HOSTILE_ESCAPED);
    expect(page.body).toMatch(/<html lang="en">/);
    // The address typed is shown back after a refusal; the account's address on the second step and the consent page.
    const refused = await submit(browser, page, '/login', { email: HOSTILE, password: 'x' });
    expect(refused.page.body).toContain(`value="${HOSTILE_ESCAPED}"`);
    const second = await submit(browser, refused.page, '/login', { email: user.email, password: user.password });
    const consent = await submit(browser, second.page, '/second-step', { recovery_code: user.recoveryCodes[0] });
    expect(pageKind(consent.page)).toBe('consent');
    // Escaped, then free to wrap after its "." and "@" (<wbr>, which textOf drops).
    const escapedEmail = user.email.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
    expect(textOf(second.page.body)).toContain(escapedEmail);
    expect(textOf(consent.page.body)).toContain(escapedEmail);
    // The consent page lists the scopes it knows, in words: the hostile one is not among them.
    expect(textOf(consent.page.body)).toContain('See your email address');
    const allowed = await submit(browser, consent.page, '/consent', { decision: 'allow' });
    const callback = new URL(allowed.leftTo!);
    noteSecret(callback.searchParams.get('code'));
    const tokens = await client.authorizationCodeGrant(hostileRp, callback, {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    noteTokens(tokens);
    // Logout: its question and its answer name the app.
    const logout = await browser.follow(client.buildEndSessionUrl(hostileRp, { id_token_hint: tokens.id_token! }).href, t.origin);
    const action = new URL(formAction(logout.page.body, '/session/end/confirm')!, logout.page.url).href;
    const loggedOut = await browser.follow(action, t.origin, { form: { xsrf: fieldValue(logout.page.body, 'xsrf')!, logout: 'yes' } });
    expect(textOf(loggedOut.page.body)).toContain('You are signed out');
    // The provider's name on its button; an address typed into the forms to create an account and to reset a password.
    const fresh = await browser.follow((await authorizationRequest(otherRp)).url, t.origin);
    expect(fresh.page.body).toContain('&quot;&gt;&lt;script&gt;alert(7)&lt;/script&gt;&lt;img src=x onerror=alert(8)&gt;');
    for (const suffix of ['/sign-up', '/reset']) {
      const form = await followLink(browser, t.origin, fresh.page, suffix);
      const typed = await submit(browser, form.page, suffix, { email: HOSTILE });
      expect(typed.page.status).toBe(400);
      expect(typed.page.body).toContain(`value="${HOSTILE_ESCAPED}"`);
    }
    // An odd address that is valid: shown on the page that says where the code went.
    const odd = uniqueEmail("o'neil&sons").replace('@', "+'a&b@");
    const signUpForm = await followLink(browser, t.origin, fresh.page, '/sign-up');
    const sent = await submit(browser, signUpForm.page, '/sign-up', { email: odd });
    expect(textOf(sent.page.body)).toContain(odd.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    // Error pages: hostile parameters and a hostile request id.
    await browser.request(
      `${t.issuer}/auth?client_id=${encodeURIComponent(HOSTILE)}&redirect_uri=${encodeURIComponent(HOSTILE)}&scope=${encodeURIComponent(HOSTILE)}`,
    );
    await browser.request((await authorizationRequest(hostileRp, { redirect_uri: HOSTILE, response_type: HOSTILE, prompt: HOSTILE })).url, {
      headers: { 'x-request-id': HOSTILE },
    });
    await browser.request(`${t.issuer}/interaction/${encodeURIComponent(HOSTILE)}`);

    const pages = browser.history.filter(
      (answer) => answer.headers.get('content-type')?.startsWith('text/html') && answer.headers.get('location') === null,
    );
    expect(pages.filter((shown) => shown.body.includes(HOSTILE_ESCAPED)).length).toBeGreaterThanOrEqual(7);
    for (const shown of pages) {
      expectInert(shown, t.issuer);
      expect(shown.body).not.toContain(HOSTILE);
      expect(shown.body).not.toContain(HOSTILE_PROVIDER);
    }
  });
});

describe('the login pages behind a TLS proxy, and their login limits (49)', () => {
  const PUBLIC = 'https://login.example.com';
  let t: OidcTestApp;
  let rp: client.Configuration;

  beforeAll(async () => {
    // https issuer, the proxy trusted for the client's address, and a small limit per address to reach.
    t = await startOidcTestApp({
      PUBLIC_URL: PUBLIC,
      OIDC_ISSUER: `${PUBLIC}/one_auth/oidc`,
      TRUST_PROXY: 'loopback',
      LIMIT_LOGIN_FAILURES_PER_ADDRESS: '6/15m',
    });
    const registered = await registerClient(t);
    // Discovered through the proxy's address: the document names the https issuer and its endpoints.
    const metadata = (await (await fetch(`${t.origin}/one_auth/oidc/.well-known/openid-configuration`)).json()) as client.ServerMetadata;
    expect(metadata.issuer).toBe(`${PUBLIC}/one_auth/oidc`);
    rp = new client.Configuration(metadata, registered.clientId, registered.clientSecret!);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A client address no other test or run uses (in the documentation prefix), as the proxy forwards it. */
  const newAddress = () => `2001:db8:${randomBytes(8).toString('hex').match(/.{4}/g)!.join(':')}:1:1`;

  /**
   * Follows the provider's redirects as a browser behind the proxy would:
   * the issuer's https URLs reach the service on its local port, with the
   * client's address forwarded; stops at any other origin.
   */
  async function follow(browser: BrowserSession, url: string, address: string, form?: Record<string, string>) {
    const local = (target: string) => (target.startsWith(PUBLIC) ? t.origin + target.slice(PUBLIC.length) : target);
    const headers = { 'x-forwarded-for': address, 'x-forwarded-proto': 'https' };
    let page = await browser.request(local(url), { form, headers });
    for (let hops = 0; hops < 10; hops++) {
      const location = page.headers.get('location');
      if (!location) return { page };
      const next = new URL(location, `${PUBLIC}${new URL(page.url).pathname}`).href;
      if (!next.startsWith(PUBLIC)) return { page, leftTo: next };
      page = await browser.request(local(next), { headers });
    }
    throw new Error('too many redirects');
  }

  async function openSignIn(address: string, browser = new BrowserSession()) {
    const request = await authorizationRequest(rp);
    const { page } = await follow(browser, request.url, address);
    expect(pageKind(page)).toBe('sign-in');
    return { browser, page, request };
  }

  function tryPassword(browser: BrowserSession, page: PageResponse, address: string, email: string, password: string) {
    const action = `${PUBLIC}${new URL(formAction(page.body, '/login')!, page.url).pathname}`;
    return follow(browser, action, address, { csrf: fieldValue(page.body, 'csrf')!, email, password });
  }

  it('marks every cookie Secure, HttpOnly and SameSite=Lax when the issuer is https', async () => {
    const user = await createActiveUser(t);
    const address = newAddress();
    const { browser, page } = await openSignIn(address);
    const { leftTo } = await tryPassword(browser, page, address, user.email, user.password);
    expect(new URL(leftTo!).searchParams.get('iss')).toBe(`${PUBLIC}/one_auth/oidc`);
    const cookies = [...browser.jar.cookies.values()];
    expect(cookies.map((cookie) => cookie.name)).toEqual(expect.arrayContaining(['_interaction', '_session', '_session.sig']));
    for (const cookie of cookies) expect(cookie, cookie.name).toMatchObject({ secure: true, httpOnly: true, sameSite: 'lax' });
  });

  it('puts failures from one address under its limit on the page, known and unknown accounts alike: 429 with Retry-After', async () => {
    const address = newAddress();
    const known = await createActiveUser(t);
    const answers: { status: number; text: string; retryAfter: string | null }[] = [];
    let { browser, page } = await openSignIn(address);
    // Six failures from one address, on six accounts, half of which do not exist.
    for (let i = 0; i < 6; i++) {
      const email = i % 2 === 0 ? (await createActiveUser(t)).email : uniqueEmail('nobody');
      ({ page } = await tryPassword(browser, page, address, email, 'not the password'));
      expect(page.status).toBe(401);
    }
    // The seventh from there is refused before any password is checked, the right password of a known account too.
    for (const [email, password] of [
      [uniqueEmail('nobody'), 'not the password'],
      [known.email, known.password],
    ]) {
      const limited = await tryPassword(browser, page, address, email, password);
      expect(limited.leftTo).toBeUndefined();
      answers.push({
        status: limited.page.status,
        text: textOf(limited.page.body).replace(email, 'EMAIL'),
        retryAfter: limited.page.headers.get('retry-after'),
      });
      expectPageDefences(limited.page);
      page = limited.page;
    }
    expect(answers.map((answer) => answer.status)).toEqual([429, 429]);
    expect(Number(answers[0].retryAfter)).toBeGreaterThan(0);
    expect(answers[0].text).toBe(answers[1].text);
    expect(answers[0].text).toContain('Too many failed attempts');
    // Another address is not held back by that one.
    const elsewhere = newAddress();
    ({ browser, page } = await openSignIn(elsewhere));
    expect((await tryPassword(browser, page, elsewhere, known.email, known.password)).leftTo).toBeDefined();
  });
});
