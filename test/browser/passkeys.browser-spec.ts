import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../gateways/gateway-harness.js';
import { basic, createActiveUser, startTestApp, type TestApp } from '../helpers/test-app.js';

const CHROMIUM = findBinary(['/usr/bin/chromium', '/usr/bin/chromium-browser']);
const PAGE = readFileSync(join(import.meta.dirname, 'passkey-page.html'));

type Answer = { status: number; body: Record<string, unknown> };

/**
 * A real browser (Debian's Chromium) with a virtual platform authenticator
 * (the DevTools protocol's WebAuthn domain) on a page that calls the real
 * service: the page's server hands /one_auth/* to the service, so page and
 * API share the origin http://localhost:PORT, a secure context, and the
 * service's RP ID is `localhost`.
 */
describe.skipIf(!CHROMIUM && !process.env.CI)('passkeys in Chromium', () => {
  let t: TestApp;
  let pages: Server;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let authenticatorId: string;
  let cdp: CDPSession;

  beforeAll(async () => {
    let servicePort = 0;
    pages = createServer((request, response) => {
      if (!request.url?.startsWith('/one_auth/')) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
        return;
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port: servicePort, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.writeHead(502).end());
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(pages.address() as AddressInfo).port}`;
    t = await startTestApp({ PASSKEY_RP_ID: 'localhost', PASSKEY_ORIGINS: origin });
    await t.app.listen(0, '127.0.0.1');
    servicePort = (t.app.getHttpServer().address() as AddressInfo).port;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext();
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
    await page.goto(`${origin}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await t?.close();
  });

  type AddPasskey = { addPasskey(token: string, password: string, name: string): Promise<Answer> };

  it('adds a passkey with navigator.credentials.create, then signs in with it and no password', async () => {
    const user = await createActiveUser(t);
    // The token alone adds nothing: a wrong password is refused before the authenticator is asked.
    const refused = await page.evaluate<Answer, [string, string]>(
      ([token, password]) => (globalThis as unknown as AddPasskey).addPasskey(token, password, 'Chromium'),
      [user.token, 'not the password'],
    );
    expect(refused).toEqual({ status: 422, body: { message: 'Password is not correct' } });
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toEqual([]);

    const added = await page.evaluate<Answer, [string, string]>(
      ([token, password]) => (globalThis as unknown as AddPasskey).addPasskey(token, password, 'Chromium'),
      [user.token, user.password],
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'Chromium', last_used_at: null });
    // The authenticator made a discoverable credential, as the options required.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toEqual([expect.objectContaining({ isResidentCredential: true, rpId: 'localhost' })]);

    const signedIn = await page.evaluate<Answer>(() =>
      (globalThis as unknown as { signInWithPasskey(): Promise<Answer> }).signInWithPasskey(),
    );
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user_profile).toMatchObject({ email: user.email });
    const token = signedIn.body.access_token as string;
    expect(token).not.toBe(user.token);
    const check = await t.http.get('/one_auth/api/validations').set('Authorization', basic(user.email, token)).expect(200);
    expect(check.body.email).toBe(user.email);

    const list = await t.http.get('/one_auth/api/passkeys').set('Authorization', `Bearer ${token}`).expect(200);
    expect(list.body.passkeys).toHaveLength(1);
    expect(list.body.passkeys[0].last_used_at).not.toBeNull();
  });
});
