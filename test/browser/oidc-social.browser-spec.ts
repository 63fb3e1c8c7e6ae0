import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../gateways/gateway-harness.js';
import { client, freePort, noteTokens, registerClient } from '../helpers/oidc-rp.js';
import { addUpstream } from '../helpers/social-sign-in.js';
import { createActiveUser, forgetLastCodeTime, startTestApp, type TestApp, uniqueEmail } from '../helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from '../helpers/totp.js';
import { UpstreamProvider } from '../helpers/upstream-provider.js';

const CHROMIUM = findBinary(['/usr/bin/chromium', '/usr/bin/chromium-browser']);
/** Where to keep screenshots of each page at phone and desktop widths, when set (never in the repository). */
const SCREENSHOTS = process.env.SCREENSHOTS_DIR;
const WIDTHS = [390, 1280];

/** What the test's app holds after a sign-in: the tokens and the person's claims. */
interface Held {
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  email: string;
}

/**
 * An app of one_auth, as small as an app gets: openid-client with the code
 * flow, PKCE, state and nonce, a session cookie of its own, and the tokens
 * it got kept in memory for the test to look at.
 */
class RelyingParty {
  readonly held: Held[] = [];
  private readonly pending = new Map<string, { verifier: string; state: string; nonce: string }>();
  private server!: Server;
  origin = '';
  config!: client.Configuration;

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url!, this.origin);
    try {
      if (url.pathname === '/login') {
        const session = randomUUID();
        const secrets = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
        this.pending.set(session, secrets);
        const authorize = client.buildAuthorizationUrl(this.config, {
          redirect_uri: `${this.origin}/callback`,
          scope: 'openid email profile',
          code_challenge: await client.calculatePKCECodeChallenge(secrets.verifier),
          code_challenge_method: 'S256',
          state: secrets.state,
          nonce: secrets.nonce,
        });
        response.writeHead(302, { location: authorize.href, 'set-cookie': `rp=${session}; Path=/; HttpOnly; SameSite=Lax` }).end();
        return;
      }
      if (url.pathname === '/callback') {
        const session = /(?:^|; )rp=([^;]+)/.exec(request.headers.cookie ?? '')?.[1] ?? '';
        const secrets = this.pending.get(session);
        if (!secrets) throw new Error('no sign-in under way in this browser');
        this.pending.delete(session);
        const tokens = await client.authorizationCodeGrant(this.config, url, {
          pkceCodeVerifier: secrets.verifier,
          expectedState: secrets.state,
          expectedNonce: secrets.nonce,
          idTokenExpected: true,
        });
        noteTokens(tokens);
        const info = await client.fetchUserInfo(this.config, tokens.access_token, tokens.claims()!.sub);
        this.held.push({ tokens, email: String(info.email) });
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(`<!DOCTYPE html><html lang="en"><title>Team wiki</title><h1>Signed in as ${String(info.email)}</h1></html>`);
        return;
      }
      response.writeHead(404).end();
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * The login pages in Chromium (Debian's), as a person uses them, between a
 * relying party of one_auth (openid-client) and, for "Continue with …", an
 * upstream OpenID provider (oidc-provider) with a login page of the test's
 * own. one_auth is at `localhost`, the app and the upstream at 127.0.0.1:
 * other sites, so the cookies' SameSite rules are those of a real
 * deployment. Each test ends with the app holding tokens.
 */
describe.skipIf(!CHROMIUM && !process.env.CI)('the login pages in Chromium: another provider, sign-up, reset', () => {
  let t: TestApp;
  let origin: string;
  let upstream: UpstreamProvider;
  let browser: Browser;
  const rp = new RelyingParty();
  const providerId = 'upstream';

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    upstream = await UpstreamProvider.start([`${origin}/one_auth/api/sign_in/${providerId}/callback`]);
    upstream.loginPage = 'Upstream ID';
    t = await startTestApp({ PUBLIC_URL: origin });
    await t.app.listen(port, '127.0.0.1');
    await addUpstream(t, upstream, providerId, true);
    await rp.start();
    const registered = await registerClient(t, { client_name: 'Team wiki', redirect_uris: [`${rp.origin}/callback`] });
    rp.config = await client.discovery(
      new URL(`${origin}/one_auth/oidc`),
      registered.clientId,
      undefined,
      client.ClientSecretBasic(registered.clientSecret!),
      { execute: [client.allowInsecureRequests] },
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await rp.stop();
    await t?.close();
    await upstream?.stop();
  });

  /** Screenshots of the page as it is now, at each width, when SCREENSHOTS_DIR is set. */
  async function shoot(page: Page, name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    const width = page.viewportSize()!.width;
    for (const shotWidth of WIDTHS) {
      await page.setViewportSize({ width: shotWidth, height: 900 });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${shotWidth}.png`), fullPage: true });
    }
    await page.setViewportSize({ width, height: 900 });
  }

  async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 390, height: 900 }, ...options });
    const page = await context.newPage();
    // A step that never happens fails where it is, not as the whole test's timeout.
    page.setDefaultTimeout(15_000);
    return { context, page };
  }

  /** The app's sign-in, up to one_auth's sign-in page. */
  async function toSignInPage(page: Page): Promise<void> {
    await page.goto(`${rp.origin}/login`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    expect(page.url().startsWith(`${origin}/one_auth/oidc/interaction/`)).toBe(true);
  }

  /**
   * The app's page after the sign-in. An app on a loopback redirect URI is
   * a native app to the provider, which asks for consent every time: the
   * person allows it.
   */
  async function signedInAs(page: Page, email: string): Promise<Held> {
    await page.waitForURL((url) => url.origin === rp.origin || (url.origin === origin && /\/interaction\/[^/]+$/.test(url.pathname)));
    if (page.url().startsWith(origin)) {
      expect(await page.locator('h1').textContent()).toBe('Allow access to your one_auth account?');
      await shoot(page, 'consent');
      await page.getByRole('button', { name: 'Allow', exact: true }).click();
    }
    await page.waitForURL(`${rp.origin}/callback?**`);
    expect(await page.locator('h1').textContent()).toBe(`Signed in as ${email}`);
    const held = rp.held.find((entry) => entry.email === email);
    expect(held).toBeDefined();
    expect(held!.tokens.access_token).toBeTruthy();
    expect(held!.tokens.claims()!.aud).toBe(rp.config.clientMetadata().client_id);
    return held!;
  }

  it('continues with another provider: its own login page, then back to the app holding tokens', async () => {
    const email = uniqueEmail('chromium-continue');
    upstream.users.set(randomUUID(), { email, email_verified: true });
    const { context, page } = await newPage();
    await toSignInPage(page);
    await shoot(page, 'sign-in');
    await page.getByRole('button', { name: 'Continue with Upstream' }).click();
    await page.waitForURL(`${upstream.issuer}/interaction/**`);
    expect(await page.locator('h1').textContent()).toBe('Upstream ID');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const held = await signedInAs(page, email);
    expect(held.tokens.claims()!.amr).toBeUndefined();
    await context.close();

    // Someone the provider does not sign in (it refuses): the sign-in page says so.
    const { context: other, page: again } = await newPage();
    await toSignInPage(again);
    await again.getByRole('button', { name: 'Continue with Upstream' }).click();
    await again.getByLabel('Email').fill(uniqueEmail('nobody-upstream'));
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.waitForURL(`${origin}/one_auth/oidc/interaction/**`);
    await expect.poll(() => again.locator('.error-summary').textContent()).toContain('Signing in with Upstream was cancelled.');
    await shoot(again, 'sign-in-provider-refused');
    await other.close();
  });

  it('creates an account with a code from the mail, without JavaScript and by keyboard, then the app holds tokens', async () => {
    const email = uniqueEmail('chromium-sign-up');
    const { context, page } = await newPage({ javaScriptEnabled: false });
    await toSignInPage(page);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/sign-up');
    await shoot(page, 'sign-up-email');
    await page.getByLabel('Email address').fill(email);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/sign-up/code');
    await shoot(page, 'sign-up-code');
    await page.getByLabel('Code').fill('000000');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.error-summary').textContent()).toContain('Invalid code');
    expect(await page.getByLabel('Code').getAttribute('aria-describedby')).toBe('code-error');
    expect(await page.getByLabel('Code').getAttribute('aria-invalid')).toBe('true');
    await shoot(page, 'sign-up-code-error');
    await page.getByLabel('Code').fill(await t.smtp.waitForCode(email));
    await page.keyboard.press('Enter');
    await page.waitForURL('**/sign-up/password');
    await shoot(page, 'sign-up-password');
    // The password field has the focus (autofocus, applied once the page has rendered): typed straight in.
    await expect.poll(() => page.getByLabel('Password').evaluate((field) => field === field.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type('password123');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.field-error').textContent()).toContain('Password is too common, please choose another');
    // Read out with the field: its hint, then its problem.
    expect(await page.getByLabel('Password').getAttribute('aria-describedby')).toBe('password-hint password-error');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await shoot(page, 'sign-up-password-error');
    await page.getByLabel('Password').fill('a brand new passphrase');
    await page.keyboard.press('Enter');
    expect((await signedInAs(page, email)).tokens.claims()!.amr).toEqual(['pwd']);
    await context.close();
  });

  it('resets a forgotten password with a code from the mail and the authenticator app, then the app holds tokens', async () => {
    const user = await enableTwoStep(t, await createActiveUser(t, uniqueEmail('chromium-reset')));
    await forgetLastCodeTime(t, user.email);
    const mailsBefore = t.smtp.mailsTo(user.email).length;
    const { context, page } = await newPage();
    await toSignInPage(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/reset');
    await shoot(page, 'reset-email');
    await page.getByLabel('Email address').fill(user.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/reset/code');
    await shoot(page, 'reset-code');
    const code = await t.smtp.waitForCodeAfter(user.email, mailsBefore);
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/reset/password');
    await shoot(page, 'reset-password');
    await page.getByLabel('New password').fill('another brand new passphrase');
    await awayFromStepEdge();
    await page.getByLabel('Code from your authenticator app').fill(totpCode(user.secret));
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    expect((await signedInAs(page, user.email)).tokens.claims()!.amr).toEqual(['pwd', 'otp', 'mfa']);
    await context.close();
  });
});
