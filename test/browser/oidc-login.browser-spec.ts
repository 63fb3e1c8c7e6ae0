import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../gateways/gateway-harness.js';
import { type Flow, LoopbackApp, type Outcome } from '../helpers/loopback-app.js';
import { client, freePort, registerClient, relyingParty } from '../helpers/oidc-rp.js';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from '../helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from '../helpers/totp.js';

const CHROMIUM = findBinary(['/usr/bin/chromium', '/usr/bin/chromium-browser']);
/** Where to write each page's screenshot at phone and desktop widths; unset: none are taken. */
const SHOTS = process.env.SCREENSHOTS_DIR;
/** A page that adds a passkey through the API (28, 29) with navigator.credentials.create. */
const PASSKEY_PAGE = readFileSync(join(import.meta.dirname, 'passkey-page.html'), 'utf8');

/**
 * The login pages (49) as a person meets them: Debian's Chromium, driven by
 * playwright-core, sent to the provider by a small app (openid-client 6,
 * code flow with PKCE) whose loopback callback exchanges the code and checks
 * the ID token. The service's origin is http://localhost:PORT, a secure
 * context whose host is a valid WebAuthn RP ID, so passkeys work with a
 * virtual authenticator of the DevTools protocol. One browser for the file,
 * a fresh context (cookies, storage) for each test.
 */
describe.skipIf(!CHROMIUM && !process.env.CI)('the login pages in Chromium (43, 47, 49)', () => {
  let t: TestApp;
  let origin: string;
  let issuer: string;
  let app: LoopbackApp;
  let browser: Browser;
  /** A first-party app: no consent asked. */
  let wiki: client.Configuration;
  /** A third-party app: asks consent, with a long name. */
  let analytics: client.Configuration;
  const ANALYTICS = 'Northwind Regional Analytics and Reporting';
  const contexts: BrowserContext[] = [];
  /** What went wrong in a test's pages without showing (see open()). */
  const problems: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    t = await startTestApp({ PUBLIC_URL: origin });
    await t.app.listen(port, '127.0.0.1');
    issuer = `${origin}/one_auth/oidc`;
    app = await LoopbackApp.start();
    // Confidential apps on this machine, as docs/oidc.md registers its first app.
    const uris = { redirect_uris: [app.redirectUri], post_logout_redirect_uris: [app.postLogoutRedirectUri] };
    wiki = await relyingParty(issuer, await registerClient(t, { client_name: 'Team wiki', ...uris }));
    analytics = await relyingParty(issuer, await registerClient(t, { client_name: ANALYTICS, first_party: false, ...uris }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  /** A page in a browser context of its own: no cookies from another test. */
  async function open(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    contexts.push(context);
    const page = await context.newPage();
    // What a person would not see but the page's author must: script errors, what the CSP blocked, a stylesheet or script not served.
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(`blocked: ${message.text()}`);
    });
    // The test's app has no icon. The service's pages name theirs (<link rel="icon">), so Chromium asks for it, not for
    // /favicon.ico, and its answer is checked here as any other file's is.
    const appIcon = (url: string) => url.endsWith('/favicon.ico') && new URL(url).origin !== origin;
    page.on('response', (response) => {
      const kind = response.request().resourceType();
      if (response.status() >= 400 && kind !== 'document' && !appIcon(response.url())) {
        problems.push(`${response.status()} for the ${kind} ${response.url()}`);
      }
    });
    page.on('requestfailed', (request) => {
      if (!appIcon(request.url())) problems.push(`${request.failure()?.errorText} for ${request.url()}`);
    });
    return page;
  }

  /**
   * Looks at the page as a person on a small phone would: at 320 CSS px it
   * must reflow, nothing wider than the screen (WCAG 1.4.10). With
   * SCREENSHOTS_DIR set, writes the whole page at 390 px (a phone) and
   * 1280 px (a desktop) as `<name>-<width>.png`.
   */
  async function look(page: Page, name: string): Promise<void> {
    const size = page.viewportSize();
    await page.setViewportSize({ width: 320, height: 640 });
    const widths = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document
        .documentElement;
      return { content: root.scrollWidth, screen: root.clientWidth };
    });
    expect(widths.content, `${name} is wider than a 320 px screen`).toBeLessThanOrEqual(widths.screen);
    // An email address wraps after a ".", an "@" (its <wbr>s) or a hyphen, never inside a word: where a line ends, so does one of those.
    const badBreaks = await page.evaluate(() => {
      type Text = { length: number; textContent: string };
      type Node = { nodeType: number; childNodes: Iterable<Node> } & Text;
      const { document } = globalThis as unknown as {
        document: {
          querySelectorAll(selector: string): Iterable<Node>;
          createRange(): {
            setStart(node: Node, at: number): void;
            setEnd(node: Node, at: number): void;
            getBoundingClientRect(): { top: number };
          };
        };
      };
      const breaks: string[] = [];
      for (const email of document.querySelectorAll('.email')) {
        const characters: { character: string; top: number }[] = [];
        for (const node of email.childNodes) {
          if (node.nodeType !== 3) continue;
          for (let at = 0; at < node.length; at++) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            characters.push({ character: node.textContent[at], top: range.getBoundingClientRect().top });
          }
        }
        characters.forEach(({ top }, at) => {
          const before = characters[at - 1];
          if (before && top > before.top && !'.@-'.includes(before.character)) {
            breaks.push(characters.map(({ character }, i) => (i === at ? `|${character}` : character)).join(''));
          }
        });
      }
      return breaks;
    });
    expect(badBreaks, `${name} breaks an email address inside a word`).toEqual([]);
    const shots = SHOTS ? { 390: 844, 1280: 800 } : {};
    for (const [width, height] of Object.entries(shots)) {
      await page.setViewportSize({ width: Number(width), height });
      await page.screenshot({ path: join(SHOTS!, `${name}-${width}.png`), fullPage: true });
    }
    if (size) await page.setViewportSize(size);
  }

  /** With SCREENSHOTS_DIR set, looks at the page once more in the dark scheme, as `<name>-dark`, then goes back to the light one. */
  async function lookInDark(page: Page, name: string): Promise<void> {
    if (!SHOTS) return;
    await page.emulateMedia({ colorScheme: 'dark' });
    await look(page, `${name}-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();
  /** The element that has the keyboard's focus: its id, else its class, else where it links to, else its tag. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      type Focusable = { id: string; className: string; tagName: string; getAttribute(name: string): string | null };
      const element = (globalThis as unknown as { document: { activeElement: Focusable | null } }).document.activeElement;
      return element?.id || element?.className || element?.getAttribute('href') || element?.tagName.toLowerCase() || '';
    });

  /** A sign-in the app starts, asking for the email scope too unless told otherwise: userinfo then says whose account it is. */
  const begin = (config: client.Configuration, parameters: Record<string, string> = {}) =>
    app.begin(config, { scope: 'openid email', ...parameters });

  /** What the app's callback got, once the browser is back at the app. */
  async function backAtApp(page: Page, flow: Flow): Promise<Outcome> {
    await page.waitForURL((url) => url.origin === app.origin);
    const outcome = await flow.outcome;
    expect(new URL(page.url()).pathname).toBe('/callback');
    expect(await heading(page)).toBe(outcome.kind === 'tokens' ? 'Signed in' : 'Not signed in');
    return outcome;
  }

  /** The ID token's claims, after openid-client checked its signature, issuer, audience, nonce and PKCE. */
  function idToken(outcome: Outcome, flow: Flow) {
    if (outcome.kind !== 'tokens') throw new Error(`the app got no tokens: ${JSON.stringify(outcome)}`);
    const claims = outcome.tokens.claims()!;
    expect(claims.iss).toBe(issuer);
    expect(claims.nonce).toBe(flow.request.nonce);
    expect(outcome.callback.searchParams.get('state')).toBe(flow.request.state);
    return claims;
  }

  /** Whose account the app signed in: the email userinfo gives for the ID token's sub. */
  async function emailOf(config: client.Configuration, outcome: Outcome): Promise<unknown> {
    if (outcome.kind !== 'tokens') throw new Error('no tokens');
    const info = await client.fetchUserInfo(config, outcome.tokens.access_token, outcome.tokens.claims()!.sub);
    return info.email;
  }

  /** Fills the sign-in form by its labels and presses its button. */
  async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** Signs in through the wiki in this page's browser: a session at the provider, and the ID token's claims. */
  async function signedInSession(page: Page, user: { email: string; password: string }) {
    const flow = await begin(wiki);
    await page.goto(flow.url);
    await signInWithPassword(page, user.email, user.password);
    return idToken(await backAtApp(page, flow), flow);
  }

  /** Pages of the provider a navigation showed: the login pages' paths it passed through. */
  function pagesShown(page: Page): string[] {
    const shown: string[] = [];
    page.on('framenavigated', (frame) => {
      const url = new URL(frame.url());
      if (url.origin === origin && url.pathname.includes('/interaction/')) shown.push(url.pathname);
    });
    return shown;
  }

  /**
   * A virtual platform authenticator (resident keys, user verification) in
   * this page's browser; `backedUp`: the passkeys it makes say they are
   * synced (backup eligible and backed up), as a phone's or a password
   * manager's are.
   */
  async function virtualAuthenticator(page: Page, backedUp: boolean) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
        defaultBackupEligibility: backedUp,
        defaultBackupState: backedUp,
      },
    });
    return { cdp, authenticatorId };
  }

  /** Adds a passkey to the account through the API (28 with the password, then 29), made by this page's authenticator. */
  async function addPasskey(page: Page, user: { token: string; password: string }): Promise<void> {
    const at = `${origin}/passkey-page.html`;
    await page.route(at, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: PASSKEY_PAGE }));
    await page.goto(at);
    const added = await page.evaluate<{ status: number }, [string, string]>(
      ([token, password]) =>
        (globalThis as unknown as { addPasskey(...args: string[]): Promise<{ status: number }> }).addPasskey(token, password, 'Chromium'),
      [user.token, user.password],
    );
    expect(added.status).toBe(201);
    await page.unroute(at);
  }

  it('signs in with email and password from the keyboard alone: Tab to each labelled field, Enter to send (amr pwd)', async () => {
    const user = await createActiveUser(t);
    const page = await open();
    const flow = await begin(wiki);
    await page.goto(flow.url);
    expect(await page.title()).toBe('Sign in – one_auth');
    expect(await heading(page)).toBe('Sign in');
    expect(await page.locator('.lead').innerText()).toBe('to continue to Team wiki');
    const email = page.getByLabel('Email address');
    const password = page.getByLabel('Password');
    expect(await email.getAttribute('type')).toBe('email');
    expect(await email.getAttribute('autocomplete')).toBe('username webauthn');
    expect(await password.getAttribute('type')).toBe('password');
    expect(await password.getAttribute('autocomplete')).toBe('current-password');
    // The pages' own icon, served beside the stylesheet.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const served = await page.request.get(new URL(icon!, page.url()).href);
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toBe('image/svg+xml');
    // No address given: nothing has the focus, the first Tab goes to the email field.
    await expect.poll(() => focused(page)).toBe('body');
    await look(page, 'sign-in');

    // The first Tab reaches the email field; a wrong password comes back with a summary that has the focus.
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toBe('email');
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toBe('password');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login$/);
    expect(await page.title()).toBe('Error: Sign in – one_auth');
    const summary = page.getByRole('alert');
    expect(await summary.getByRole('heading').innerText()).toBe('There is a problem');
    expect(await summary.getByRole('link').innerText()).toBe('Email or password is not correct');
    await expect.poll(() => focused(page)).toBe('error-summary');
    // Above the field too, with a prefix for screen readers only.
    expect(await page.locator('#email-error').innerText()).toMatch(/Email or password is not correct$/);
    expect(await page.locator('#email-error .visually-hidden').textContent()).toBe('Error:');
    // Read out with the field, and the field says it has a problem; the password had none of its own.
    expect(await email.getAttribute('aria-describedby')).toBe('email-error');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await password.getAttribute('aria-invalid')).toBeNull();
    expect(await email.inputValue()).toBe(user.email);
    expect(await password.inputValue()).toBe('');
    await look(page, 'sign-in-wrong-password');
    await lookInDark(page, 'sign-in-wrong-password');

    // From the summary: Tab to its link, Enter puts the focus in the field it names; on to the password, and Enter signs in.
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toBe('#email');
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#email');
    await expect.poll(() => focused(page)).toBe('email');
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toBe('password');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    const outcome = await backAtApp(page, flow);
    const claims = idToken(outcome, flow);
    expect(claims.amr).toEqual(['pwd']);
    expect(await emailOf(wiki, outcome)).toBe(user.email);
  });
  it('asks for the code of the authenticator app after the password: a wrong one is refused on the page, the right one signs in (amr pwd otp mfa)', async () => {
    // A long address, to see it wrap on a phone.
    const user = await enableTwoStep(t, await createActiveUser(t, uniqueEmail('firstname.middlename.lastname.for-long-addresses')));
    const page = await open();
    const flow = await begin(wiki);
    await page.goto(flow.url);
    await signInWithPassword(page, user.email, user.password);
    await page.waitForURL(/\/interaction\/[^/]+$/);
    expect(await page.title()).toBe('Two-step verification – one_auth');
    expect(await heading(page)).toBe('Two-step verification');
    // The address on a line of its own.
    expect(await page.locator('.lead').innerText()).toBe(`Signing in to Team wiki as\n${user.email}`);
    const code = page.getByLabel('Code from your authenticator app');
    expect(await code.getAttribute('aria-describedby')).toBe('code-hint');
    expect(await code.getAttribute('aria-invalid')).toBeNull();
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    // The one field of the page has the focus: the code can be typed at once.
    await expect.poll(() => focused(page)).toBe('code');
    // No passkey on this account: nothing offers one.
    expect(await page.getByRole('button', { name: /passkey/ }).count()).toBe(0);
    await look(page, 'second-step');

    await awayFromStepEdge();
    const valid = new Set([-1, 0, 1].map((offset) => totpCode(user.secret, offset)));
    const wrong = ['000000', '111111', '222222'].find((candidate) => !valid.has(candidate))!;
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/second-step$/);
    expect(await page.title()).toBe('Error: Two-step verification – one_auth');
    expect(await page.getByRole('alert').getByRole('link').innerText()).toBe('The code is not correct');
    await expect.poll(() => focused(page)).toBe('error-summary');
    expect(await code.getAttribute('aria-describedby')).toBe('code-hint code-error');
    expect(await code.getAttribute('aria-invalid')).toBe('true');
    await look(page, 'second-step-wrong-code');

    await awayFromStepEdge();
    await code.fill(totpCode(user.secret));
    await page.getByRole('button', { name: 'Continue', exact: true }).first().click();
    const outcome = await backAtApp(page, flow);
    expect(idToken(outcome, flow).amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(await emailOf(wiki, outcome)).toBe(user.email);
  });

  it('offers the account’s passkey as the second step and signs in with the virtual authenticator (amr pwd hwk mfa)', async () => {
    const page = await open();
    // Bound to this device (not synced): a hardware-held key in RFC 8176's words.
    const { cdp, authenticatorId } = await virtualAuthenticator(page, false);
    const user = await createActiveUser(t);
    await addPasskey(page, user);
    const twoStep = await enableTwoStep(t, user);
    const flow = await begin(wiki);
    await page.goto(flow.url);
    await signInWithPassword(page, twoStep.email, twoStep.password);
    await page.waitForURL(/\/interaction\/[^/]+$/);
    expect(await heading(page)).toBe('Two-step verification');
    const usePasskey = page.getByRole('button', { name: 'Use a passkey instead' });
    expect(await usePasskey.isVisible()).toBe(true);
    await look(page, 'second-step-passkey');
    await usePasskey.click();
    const outcome = await backAtApp(page, flow);
    expect(idToken(outcome, flow).amr).toEqual(['pwd', 'hwk', 'mfa']);
    expect(await emailOf(wiki, outcome)).toBe(user.email);
    // The authenticator's one credential signed: its counter moved on from the registration's.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].signCount).toBeGreaterThan(1);
  });

  it('signs in with a passkey alone, no email typed; a passkey the authenticator cannot use says so on the page (amr swk user)', async () => {
    const page = await open();
    // Synced between devices: a software-held key in RFC 8176's words.
    const { cdp, authenticatorId } = await virtualAuthenticator(page, true);
    const user = await createActiveUser(t);
    await addPasskey(page, user);

    // The person cannot be verified: the authenticator refuses, the page says so and the button can be tried again.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    const refused = await begin(wiki);
    await page.goto(refused.url);
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    expect(await button.isVisible()).toBe(true);
    await look(page, 'sign-in-passkey');
    await button.focus();
    await page.keyboard.press('Enter');
    const problem = page.getByText('Your passkey could not be used. Try again, or use another way to sign in.');
    await problem.waitFor();
    // Read out as it shows: the message is the page's one alert.
    expect(await page.getByRole('alert').allInnerTexts()).toEqual([await problem.innerText()]);
    // The keyboard is where it was: Enter tries again.
    expect(await button.isEnabled()).toBe(true);
    await expect.poll(() => focused(page)).toBe('button button-secondary');
    expect(await heading(page)).toBe('Sign in');
    // As far from what follows as the other blocks of the page are from theirs.
    const below =
      (await page.locator('.switch').boundingBox())!.y - ((await problem.boundingBox())!.y + (await problem.boundingBox())!.height);
    expect(below).toBeGreaterThanOrEqual(20);
    await look(page, 'sign-in-passkey-failed');

    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    await page.keyboard.press('Enter');
    // The same interaction goes on: the app gets the answer to the request it started first.
    const outcome = await backAtApp(page, refused);
    expect(idToken(outcome, refused).amr).toEqual(['swk', 'user']);
    expect(await emailOf(wiki, outcome)).toBe(user.email);
  });

  it('asks a third-party app’s consent with its name and the scopes in words: Don’t allow tells it access_denied, Allow gives the code, and it is not asked again', async () => {
    const user = await createActiveUser(t, uniqueEmail('firstname.middlename.lastname.for-long-addresses'));
    const page = await open();
    const scope = 'openid email profile';
    const refused = await begin(analytics, { scope });
    await page.goto(refused.url);
    await signInWithPassword(page, user.email, user.password);
    await page.waitForURL(/\/interaction\/[^/]+$/);
    expect(await page.title()).toBe(`Allow ${ANALYTICS}? – one_auth`);
    // A short question, the app's long name on the line below.
    expect(await heading(page)).toBe('Allow access to your one_auth account?');
    expect(await page.locator('.lead').innerText()).toBe(`${ANALYTICS} is asking to:`);
    expect(await page.getByText('You are signed in as').innerText()).toBe(`You are signed in as\n${user.email}`);
    // Where access is taken back, said as it is: the apps' list (50) that an app may show.
    expect(await page.locator('.hint').innerText()).toBe(
      'one_auth keeps a list of the apps you allow. An app that uses one_auth can show you this list and let you take access back.',
    );
    const scopes = await page.getByRole('list').getByRole('listitem').allInnerTexts();
    expect(scopes.sort()).toEqual(
      ['Know who you are on one_auth', 'See your email address', 'See your name, profile picture and department'].sort(),
    );
    await look(page, 'consent');
    await lookInDark(page, 'consent');
    await page.getByRole('button', { name: 'Don’t allow' }).click();
    const denied = await backAtApp(page, refused);
    expect(denied).toMatchObject({ kind: 'error', error: 'access_denied' });
    expect(denied.callback.searchParams.get('state')).toBe(refused.request.state);

    // Signed in all the same: the next request goes straight to the question.
    const allowed = await begin(analytics, { scope });
    await page.goto(allowed.url);
    expect(await heading(page)).toBe('Allow access to your one_auth account?');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    const outcome = await backAtApp(page, allowed);
    const claims = idToken(outcome, allowed);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.aud).toBe(analytics.clientMetadata().client_id);
    expect(await emailOf(analytics, outcome)).toBe(user.email);

    // Remembered for these scopes: no page at all the third time.
    const shown = pagesShown(page);
    const again = await begin(analytics, { scope: 'profile openid email' });
    await page.goto(again.url);
    expect(idToken(await backAtApp(page, again), again).sub).toBe(claims.sub);
    expect(shown).toEqual([]);
  });

  it('answers prompt=none with login_required back at the app without a session, and with a code and no page with one', async () => {
    const user = await createActiveUser(t);
    const page = await open();
    const shown = pagesShown(page);
    const stranger = await begin(wiki, { prompt: 'none' });
    await page.goto(stranger.url);
    expect(await backAtApp(page, stranger)).toMatchObject({ kind: 'error', error: 'login_required' });
    expect(shown).toEqual([]);

    const first = await signedInSession(page, user);
    expect(shown).toHaveLength(1);
    const silent = await begin(wiki, { prompt: 'none' });
    await page.goto(silent.url);
    const claims = idToken(await backAtApp(page, silent), silent);
    expect(shown).toHaveLength(1);
    expect(claims.sub).toBe(first.sub);
    expect(claims.sid).toBe(first.sid);
    expect(claims.auth_time).toBe(first.auth_time);
  });

  it('asks for the password again on prompt=login, though signed in', async () => {
    const user = await createActiveUser(t);
    const page = await open();
    const first = await signedInSession(page, user);
    // auth_time counts whole seconds: the next sign-in is in a later one.
    await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
    const flow = await begin(wiki, { prompt: 'login' });
    await page.goto(flow.url);
    expect(await heading(page)).toBe('Sign in');
    expect(await page.getByLabel('Email address').inputValue()).toBe('');
    await signInWithPassword(page, user.email, user.password);
    const claims = idToken(await backAtApp(page, flow), flow);
    expect(claims.sub).toBe(first.sub);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.auth_time).toBeGreaterThan(first.auth_time!);
  });

  it('fills in the address the app hints at (login_hint) and puts the focus in the password field', async () => {
    const user = await createActiveUser(t);
    const page = await open();
    const flow = await begin(wiki, { login_hint: user.email });
    await page.goto(flow.url);
    expect(await page.getByLabel('Email address').inputValue()).toBe(user.email);
    await expect.poll(() => focused(page)).toBe('password');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    expect(idToken(await backAtApp(page, flow), flow).amr).toEqual(['pwd']);
  });

  it('says the sign-in is over, naming the app, when the Back button returns to its page after signing in', async () => {
    const user = await createActiveUser(t);
    const page = await open();
    const flow = await begin(wiki);
    await page.goto(flow.url);
    const signInUrl = page.url();
    await signInWithPassword(page, user.email, user.password);
    await backAtApp(page, flow);
    const again = await page.goBack();
    expect(page.url()).toBe(signInUrl);
    // 400, as the provider answers for an interaction it no longer has; what the person reads is no error.
    expect(again?.status()).toBe(400);
    expect(await page.title()).toBe('Sign-in finished or expired – one_auth');
    expect(await heading(page)).toBe('This sign-in has finished or expired');
    expect(await page.locator('.lead').innerText()).toBe('Go back to Team wiki and start again.');
    expect(await page.locator('a[href], form[action]').count()).toBe(0);
    await look(page, 'sign-in-over');
  });

  it('signs out when an app asks and the person confirms: only of the app, or of one_auth, back at its registered URI with its state each time (47)', async () => {
    const user = await createActiveUser(t);
    const page = await open();
    const first = await signedInSession(page, user);
    /** The app's logout request (client_id, no id_token_hint): one_auth asks first. */
    const askToSignOut = async () => {
      const state = client.randomState();
      await page.goto(client.buildEndSessionUrl(wiki, { post_logout_redirect_uri: app.postLogoutRedirectUri, state }).href);
      expect(await page.title()).toBe('Sign out – one_auth');
      expect(await heading(page)).toBe('Sign out of one_auth?');
      expect(await page.locator('.lead').innerText()).toBe('Team wiki asked to sign you out.');
      return state;
    };
    const backAtSignedOut = async (state: string) => {
      await page.waitForURL((url) => url.origin === app.origin);
      const back = new URL(page.url());
      expect(`${back.origin}${back.pathname}`).toBe(app.postLogoutRedirectUri);
      expect(back.searchParams.get('state')).toBe(state);
      expect(app.signedOut.at(-1)?.href).toBe(back.href);
    };

    // Only of the app: the one_auth session stays, so the app's next silent request gets a code.
    let state = await askToSignOut();
    // What signing out does is said before the choice.
    const order = await page
      .locator('.card > p, .card > form')
      .evaluateAll((blocks) => blocks.map((block) => ((block as unknown as { tagName: string }).tagName === 'FORM' ? 'buttons' : 'text')));
    expect(order).toEqual(['text', 'text', 'text', 'buttons']);
    expect(await page.getByText('Signing out ends your one_auth session').isVisible()).toBe(true);
    await look(page, 'logout');
    await page.getByRole('button', { name: 'Only sign out of Team wiki' }).click();
    await backAtSignedOut(state);
    const silent = await begin(wiki, { prompt: 'none' });
    await page.goto(silent.url);
    const again = idToken(await backAtApp(page, silent), silent);
    // The same sign-in (its time), under a new session id for the app: its old one ended.
    expect(again.sub).toBe(first.sub);
    expect(again.auth_time).toBe(first.auth_time);
    expect(again.sid).not.toBe(first.sid);

    // Of one_auth: the session is over.
    state = await askToSignOut();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await backAtSignedOut(state);
    const after = await begin(wiki, { prompt: 'none' });
    await page.goto(after.url);
    expect(await backAtApp(page, after)).toMatchObject({ kind: 'error', error: 'login_required' });
  });

  it('shows "You are signed out" when no app asked, and an error page, not a redirect, for a return address the app never registered', async () => {
    const user = await createActiveUser(t);
    const page = await open();
    await signedInSession(page, user);
    await page.goto(`${issuer}/session/end`);
    expect(await page.locator('.lead').innerText()).toBe('You are signed in to one_auth in this browser.');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/session\/end\/success/);
    expect(await heading(page)).toBe('You are signed out');
    await look(page, 'signed-out');

    const stray = await begin(wiki, { redirect_uri: `${app.origin}/elsewhere` });
    const answer = await page.goto(stray.url);
    expect(answer?.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(origin);
    expect(await page.title()).toBe('Sign-in problem – one_auth');
    expect(await heading(page)).toBe('There is a problem signing you in');
    expect(await page.locator('.lead').innerText()).toBe(
      'The app that sent you here gave a return address it has not registered with one_auth, so you cannot be sent back to it.',
    );
    // The provider's words are for the app's developer: folded away until asked for.
    const developer = page.locator('details');
    expect(await developer.locator('summary').innerText()).toBe('Details for the app’s developer');
    expect(await page.getByText('invalid_redirect_uri').isVisible()).toBe(false);
    await look(page, 'error');
    await developer.locator('summary').click();
    expect(await page.getByText('invalid_redirect_uri').isVisible()).toBe(true);
    expect(await developer.innerText()).toContain("redirect_uri did not match any of the client's registered redirect_uris");
    // Nothing on the page leads to the address the request named, nor anywhere else.
    expect(await page.locator('a[href], form[action]').count()).toBe(0);
    await look(page, 'error-details');
    await lookInDark(page, 'error-details');
  });

  it('signs in with the password with JavaScript off; the passkey button stays hidden', async () => {
    const user = await createActiveUser(t);
    const page = await open({ javaScriptEnabled: false });
    const flow = await begin(wiki);
    await page.goto(flow.url);
    expect(await heading(page)).toBe('Sign in');
    // Hidden, so out of reach of the mouse, the keyboard and screen readers alike.
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).count()).toBe(0);
    expect(await page.locator('[data-passkey-start]').isVisible()).toBe(false);
    await look(page, 'sign-in-no-script');
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    // After the password come its link and the button (the hidden passkey form takes no focus).
    const focusedText = () =>
      page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent,
      );
    await page.getByLabel('Password').press('Tab');
    expect(await focusedText()).toBe('Forgot your password?');
    await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Sign in');
    await look(page, 'sign-in-button-focus');
    await lookInDark(page, 'sign-in-button-focus');
    await page.keyboard.press('Enter');
    const outcome = await backAtApp(page, flow);
    expect(idToken(outcome, flow).amr).toEqual(['pwd']);
    expect(await emailOf(wiki, outcome)).toBe(user.email);
  });
});
