import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, fieldValue, formAction } from '../helpers/browser-session.js';
import { pageKind, textOf, walkLoginPages } from '../helpers/login-pages.js';
import { authorizationRequest, client, exchangeCode, freePort, noteTokens, TEST_REDIRECT_URI } from '../helpers/oidc-rp.js';
import { lastTo, recordTraffic } from '../helpers/rp-traffic.js';
import { activateThrough, type ServiceProcess, sharedInstanceEnv, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { uniqueEmail } from '../helpers/test-app.js';

// Set by .ci/run: the folder and port of the throwaway MariaDB this test may stop and start.
const MARIADB_DIR = process.env.FAULT_MARIADB_DIR;
const MARIADB_PORT = process.env.FAULT_MARIADB_PORT;
const PASSWORD = 'correct horse battery staple';
/** As the API's outage answers: within a bounded time, never a hang. */
const BOUND_MS = 10_000;

/**
 * The OpenID Provider's own endpoints while MariaDB is down: every one that
 * needs the database answers 503 with Retry-After at once (the OAuth error
 * `temporarily_unavailable` for relying parties, the error page for a
 * person), the ones that do not (discovery, keys) keep answering, and all
 * recover by themselves when the database is back. The relying party is
 * openid-client.
 */
describe.runIf(MARIADB_DIR && MARIADB_PORT && process.env.DATABASE_URL)('the OpenID Provider during a MariaDB outage', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let service: ServiceProcess;
  let issuer: string;
  let config: client.Configuration;
  const mariadb = (...args: string[]) =>
    execFileSync('bash', ['scripts/mariadb-throwaway.sh', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-oidc-outage-'));
    // The issuer must be the address the relying party discovers it at.
    const port = await freePort();
    const env = { ...sharedInstanceEnv(dataDir, smtp.url), PUBLIC_URL: `http://127.0.0.1:${port}` };
    service = await startServiceProcess(env, 20_000, port);
    issuer = `${service.url}/one_auth/oidc`;
    const created = spawnSync(
      process.execPath,
      ['dist/cli.js', 'clients', 'create', 'Outage app', '--redirect-uri', TEST_REDIRECT_URI, '--first-party'],
      { env: { ...process.env, NODE_ENV: 'test', ...env }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(created.status, created.stderr).toBe(0);
    const line = (name: string) => new RegExp(`^${name}=(.+)$`, 'm').exec(created.stdout)![1];
    config = await client.discovery(new URL(issuer), line('client_id'), {}, client.ClientSecretBasic(line('client_secret')), {
      execute: [client.allowInsecureRequests],
    });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A 503 of the outage, answered within the bound, with Retry-After. */
  function expectOutageAnswer(label: string, answer: { status: number; headers: Headers; ms: number }) {
    expect(answer.status, label).toBe(503);
    expect(Number(answer.headers.get('retry-after')), label).toBeGreaterThan(0);
    expect(answer.ms, label).toBeLessThan(BOUND_MS);
  }

  async function timed(call: () => Promise<Response>) {
    const started = Date.now();
    const response = await call();
    return { status: response.status, headers: response.headers, ms: Date.now() - started, text: await response.text() };
  }

  it('answers 503 temporarily_unavailable with Retry-After on token, userinfo, introspection, revocation, authorization and the login pages, and recovers by itself', async () => {
    const email = uniqueEmail('oidc-outage');
    await activateThrough(service, smtp, email, PASSWORD);
    const answers = { email, password: PASSWORD };
    const browser = new BrowserSession();
    const first = await authorizationRequest(config, { scope: 'openid offline_access' });
    const tokens = await exchangeCode(config, (await walkLoginPages(browser, first.url, answers)).callback, first);
    // A code not yet exchanged, and a sign-in page open in another browser, when the database goes.
    const pending = await authorizationRequest(config);
    const pendingCallback = (await walkLoginPages(browser, pending.url, answers)).callback;
    const stranger = new BrowserSession();
    const { page: signInPage } = await stranger.follow((await authorizationRequest(config)).url, service.url);
    expect(pageKind(signInPage)).toBe('sign-in');
    const traffic = recordTraffic(config);

    mariadb('stop-server', MARIADB_DIR!);
    try {
      // What a relying party sees: openid-client hands it the 503 answer (it reads the OAuth error bodies of 4xx answers
      // only), whose Retry-After says when to try again; userinfo also says the error in its Bearer challenge (RFC 6750 §3).
      // The body is the OAuth error the provider's other failures are.
      const asRelyingParty = async (label: string, suffix: string, call: () => Promise<unknown>) => {
        const started = Date.now();
        const failure = await call().then(
          () => undefined,
          (error: unknown) => error as { code?: string; cause?: unknown; response?: Response },
        );
        const answer = failure?.response ?? (failure?.cause as Response);
        expect(answer, label).toBeInstanceOf(Response);
        expectOutageAnswer(label, { status: answer.status, headers: answer.headers, ms: Date.now() - started });
        if (failure?.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') {
          expect(answer.headers.get('www-authenticate'), label).toContain('error="temporarily_unavailable"');
        } else {
          expect(failure?.code, label).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
        }
        const exchange = lastTo(traffic, suffix);
        expect(exchange.responseHeaders.get('content-type'), label).toMatch(/^application\/json/);
        expect(JSON.parse(await exchange.body), label).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
      };
      await asRelyingParty('refresh', '/token', () => client.refreshTokenGrant(config, tokens.refresh_token!));
      await asRelyingParty('code', '/token', () => exchangeCode(config, pendingCallback, pending));
      await asRelyingParty('userinfo', '/me', () => client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck));
      await asRelyingParty('introspection', '/introspection', () => client.tokenIntrospection(config, tokens.access_token));
      await asRelyingParty('revocation', '/revocation', () => client.tokenRevocation(config, tokens.access_token));

      // What a person sees: the error page, never a redirect (the app's registered URIs cannot be read).
      for (const [label, session] of [
        ['authorization, signed in', browser],
        ['authorization, signed out', new BrowserSession()],
      ] as const) {
        const url = (await authorizationRequest(config)).url;
        const answer = await timed(() => fetch(url, { redirect: 'manual', headers: { cookie: session.jar.headerFor(url) } }));
        expectOutageAnswer(label, answer);
        expect(answer.headers.get('location'), label).toBeNull();
        expect(answer.headers.get('content-type'), label).toBe('text/html; charset=utf-8');
        expect(textOf(answer.text), label).toContain('Signing in is not possible just now');
      }
      const logout = await timed(() =>
        fetch(`${issuer}/session/end`, { headers: { cookie: browser.jar.headerFor(`${issuer}/session/end`), accept: 'text/html' } }),
      );
      expectOutageAnswer('logout', logout);
      expect(textOf(logout.text)).toContain('Signing in is not possible just now');
      const reopened = await timed(() => fetch(signInPage.url, { headers: { cookie: stranger.jar.headerFor(signInPage.url) } }));
      expectOutageAnswer('sign-in page', reopened);
      const action = new URL(formAction(signInPage.body, '/login')!, signInPage.url).href;
      const posted = await timed(() =>
        fetch(action, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: stranger.jar.headerFor(action), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf: fieldValue(signInPage.body, 'csrf')!, ...answers }),
        }),
      );
      expectOutageAnswer('sign-in form', posted);
      expect(textOf(posted.text)).toContain('Signing in is not possible just now');

      // Discovery and the keys come from memory: a relying party can still start.
      expect((await fetch(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
      expect((await fetch(`${issuer}/jwks`)).status).toBe(200);
    } finally {
      mariadb('start-server', MARIADB_DIR!, MARIADB_PORT!);
    }

    const deadline = Date.now() + 30_000;
    let userinfo = 0;
    // Read-only calls first: pooled connections broken by the restart are dropped on first use.
    while (Date.now() < deadline && userinfo !== 200) {
      userinfo = (await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status;
      if (userinfo !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(userinfo).toBe(200);
    // Nothing the outage refused was used up: the refresh token and the code still work, once each.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    noteTokens(refreshed);
    expect(refreshed.access_token).toBeTruthy();
    expect((await exchangeCode(config, pendingCallback, pending)).access_token).toBeTruthy();
    // And a new sign-in goes through the login pages.
    const again = await authorizationRequest(config);
    const walk = await walkLoginPages(new BrowserSession(), again.url, answers);
    expect((await exchangeCode(config, walk.callback, again)).claims()!.sub).toBe(tokens.claims()!.sub);
    expect(service.output.join('')).not.toMatch(/"statusCode":500|provider error/);
  }, 120_000);
});
