import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import mysql from 'mysql2/promise';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/database/database.options.js';
import { BrowserSession } from '../helpers/browser-session.js';
import { pageKind } from '../helpers/login-pages.js';
import { authorizationRequest, client, exchangeCode, noteTokens, oauthError, type RegisteredTestClient } from '../helpers/oidc-rp.js';
import { S3TestServer } from '../helpers/s3-server.js';
import { basicHeader, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { type CreationOptions, type RequestOptions, SoftwareAuthenticator } from '../helpers/software-authenticator.js';
import { uniqueEmail } from '../helpers/test-app.js';
import { awayFromStepEdge, totpCode } from '../helpers/totp.js';
import { UpstreamProvider } from '../helpers/upstream-provider.js';
import { Balancer, GaleraCluster, PORTS, sleep, tally } from './cluster-env.js';
import { cliOf, loginAcrossInstances, nextKeysOf, publishedKids, registerByCli, relyingPartyOn } from './oidc-cluster.js';

const PASSWORD = 'correct horse battery staple';
const API = '/one_auth/api';
/** The mail workers' claim (MAIL_CLAIM_TTL's default, set explicitly): how long a killed instance's mail waits. */
const CLAIM_MS = 120_000;
const PASSKEY_ORIGIN = 'https://app.one-auth.test';
const RETURN_TO = 'https://app.one-auth.test/signed-in';

/**
 * Three instances, each on its own node of a 3-node Galera cluster, behind
 * HAProxy; images in an S3-compatible store, mail to an SMTP server in this
 * process. What a deployment at scale relies on, checked across instances
 * and nodes, with the figures printed.
 */
describe('one_auth on a Galera cluster behind HAProxy', () => {
  const smtp = new SmtpSink();
  const workDir = mkdtempSync(join(tmpdir(), 'one_auth-cluster-'));
  const cluster = new GaleraCluster(join(workDir, 'galera'));
  let s3: S3TestServer;
  let balancer: Balancer;
  let instances: ServiceProcess[] = [];
  let db: mysql.Connection;
  let startedTogetherMs = 0;

  const instanceEnv = (i: number): Record<string, string> => ({
    ...s3.env(),
    DATABASE_URL: cluster.urls[i],
    DATA_DIR: join(workDir, `instance${i + 1}`),
    SECRET: 'cluster-suite-secret-0123456789abcdef0123456789',
    SMTP_URL: smtp.url,
    MAIL_CLAIM_TTL: `${CLAIM_MS / 1000}s`,
    PUBLIC_URL: `http://127.0.0.1:${PORTS.http + 9}`,
    TRUST_PROXY: 'loopback',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // 29 losers of a race for one code each count as a wrong code: room for all of them.
    LIMIT_CODE_FAILURES_PER_ACCOUNT: '100/1h',
    PASSKEY_RP_ID: 'one-auth.test',
    PASSKEY_ORIGINS: PASSKEY_ORIGIN,
    SOCIAL_RETURN_URLS: RETURN_TO,
  });
  const startInstance = (i: number) => startServiceProcess(instanceEnv(i), 120_000, PORTS.http + i);

  beforeAll(async () => {
    // The database nodes run as the mysql user, which must reach their folders.
    chmodSync(workDir, 0o755);
    await smtp.start(PORTS.http + 10);
    s3 = await S3TestServer.start(PORTS.http + 11);
    await cluster.start();
    db = await mysql.createConnection(cluster.urls[0]);
    // All three at once on the empty database, as in a scaled-out first start.
    const started = Date.now();
    instances = await Promise.all([0, 1, 2].map(startInstance));
    startedTogetherMs = Date.now() - started;
    balancer = new Balancer(
      PORTS.http + 9,
      instances.map((instance) => instance.url.replace('http://', '')),
      join(workDir, 'haproxy.sock'),
    );
    await balancer.start();
  }, 600_000);

  afterAll(async () => {
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.stop().catch(() => null)));
    await db?.end().catch(() => undefined);
    await cluster.stop();
    await s3?.dispose();
    await smtp.stop();
    rmSync(workDir, { recursive: true, force: true });
  }, 180_000);

  const through = (path: string, init: RequestInit = {}) => fetch(`${balancer.url}${path}`, init);
  const on = (i: number, path: string, init: RequestInit = {}) => fetch(`${instances[i].url}${path}`, init);
  const jsonBody = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

  async function activeUser(email = uniqueEmail('cluster')): Promise<{ email: string; token: string }> {
    expect((await through(`${API}/user`, jsonBody('POST', { email }))).status).toBe(201);
    const code = await smtp.waitForCode(email);
    const activated = await through(`${API}/user`, jsonBody('PUT', { email, validation_code: code, password: PASSWORD }));
    expect(activated.status).toBe(200);
    return { email, token: ((await activated.json()) as { access_token: string }).access_token };
  }

  it('all three started together on an empty database: all ready, one set of migrations', async () => {
    const [rows] = await db.query<mysql.RowDataPacket[]>('SELECT name FROM migrations ORDER BY id');
    const expected = MIGRATIONS.mysql.map((migration) => new migration().name);
    const appliedBy = instances.filter((instance) => instance.output.join('').includes('applied ')).length;
    console.log(
      `start-up: 3 instances ready ${startedTogetherMs} ms after a simultaneous start; ${rows.length} migrations recorded, applied by ${appliedBy} instance(s)`,
    );
    expect(rows.map((row) => row.name as string)).toEqual(expected);
    expect(appliedBy).toBe(1);
    for (const instance of instances) expect((await fetch(`${instance.url}/one_auth/health/ready`)).status).toBe(200);
  });

  it('runs the e2e flow through the balancer: register, code, password, login, profile, logout', async () => {
    const email = uniqueEmail('flow');
    expect((await through(`${API}/user`, jsonBody('POST', { email }))).status).toBe(201);
    const code = await smtp.waitForCode(email);
    expect((await through(`${API}/validation_code`, jsonBody('PUT', { email, validation_code: code }))).status).toBe(200);
    expect((await through(`${API}/user`, jsonBody('PUT', { email, validation_code: code, password: PASSWORD }))).status).toBe(200);
    const login = await through(`${API}/access_tokens`, { headers: { Authorization: basicHeader(email, PASSWORD) } });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const auth = { Authorization: basicHeader(email, token) };
    const update = await through(`${API}/user/profile`, {
      ...jsonBody('PUT', { first_name: 'Ada', country: 'UK' }),
      headers: { 'Content-Type': 'application/json', ...auth },
    });
    expect(update.status).toBe(200);
    // Every instance sees the profile written through whichever one served the update.
    for (let i = 0; i < 3; i++) {
      const profile = await on(i, `${API}/user/profile`, { headers: auth });
      expect(profile.status).toBe(200);
      expect(await profile.json()).toMatchObject({ email, first_name: 'Ada', country: 'UK' });
    }
    expect((await through(`${API}/access_tokens`, { method: 'DELETE', headers: auth })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await on(i, `${API}/validations`, { headers: auth })).status).toBe(401);
  });

  it('40 parallel wrong passwords for one account over all instances: exactly 10 × 401 and 30 × 429, no 5xx', async () => {
    const { email } = await activeUser();
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const response = await through(`${API}/access_tokens`, { headers: { Authorization: basicHeader(email, `wrong password ${i}`) } });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    console.log(
      `wrong passwords: 40 in parallel through HAProxy (round robin over 3 instances): ${JSON.stringify(tally(statuses))} in ${Date.now() - started} ms`,
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
  });

  it('30 parallel uses of one code over all instances: exactly one 200, the others 422, no 5xx', async () => {
    const email = uniqueEmail('race');
    expect((await through(`${API}/user`, jsonBody('POST', { email }))).status).toBe(201);
    const code = await smtp.waitForCode(email);
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const response = await through(`${API}/user`, jsonBody('PUT', { email, validation_code: code, password: PASSWORD }));
        await response.arrayBuffer();
        return response.status;
      }),
    );
    console.log(`one code used 30 times in parallel through HAProxy: ${JSON.stringify(tally(statuses))} in ${Date.now() - started} ms`);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 422)).toHaveLength(29);
    const [[{ count }]] = await db.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS count FROM access_tokens WHERE user_id = (SELECT id FROM users WHERE email = ?)',
      [email],
    );
    expect(Number(count)).toBe(1);
  });

  it('a token revoked through one instance is refused by the others at once', async () => {
    const { email } = await activeUser();
    const rounds = 10;
    let refused = 0;
    for (let round = 0; round < rounds; round++) {
      const via = round % 3;
      const login = await on(via, `${API}/access_tokens`, { headers: { Authorization: basicHeader(email, PASSWORD) } });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const auth = { Authorization: basicHeader(email, token) };
      // Seen everywhere first (a fresh token read causally on the other nodes), then revoked.
      for (let i = 0; i < 3; i++) expect((await on(i, `${API}/validations`, { headers: auth })).status).toBe(200);
      expect((await on(via, `${API}/access_tokens`, { method: 'DELETE', headers: auth })).status).toBe(200);
      const after = await Promise.all([1, 2].map((step) => on((via + step) % 3, `${API}/validations`, { headers: auth })));
      refused += after.filter((response) => response.status === 401).length;
    }
    console.log(
      `revocation: ${refused} of ${rounds * 2} checks on the other instances, right after the logout answered, refused the token`,
    );
    expect(refused).toBe(rounds * 2);
  });

  it('two-step login over all instances: one of 20 parallel finishes of one mfa_token, and one of 20 uses of one code, wins', async () => {
    const { email, token } = await activeUser();
    const auth = { 'Content-Type': 'application/json', Authorization: basicHeader(email, token) };
    const started = await on(0, `${API}/user/totp`, { method: 'POST', headers: auth, body: JSON.stringify({ password: PASSWORD }) });
    const { secret } = (await started.json()) as { secret: string };
    await awayFromStepEdge(10_000);
    const confirmed = await on(1, `${API}/user/totp`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ code: totpCode(secret, -1) }),
    });
    expect(confirmed.status).toBe(200);
    const { recovery_codes: recoveryCodes } = (await confirmed.json()) as { recovery_codes: string[] };
    const passwordStep = async (i: number): Promise<string> => {
      const response = await on(i % 3, `${API}/access_tokens`, { headers: { Authorization: basicHeader(email, PASSWORD) } });
      expect(response.status).toBe(401);
      return ((await response.json()) as { mfa_token: string }).mfa_token;
    };
    const finishAll = async (pairs: Array<{ mfaToken: string; code: string }>) =>
      Promise.all(
        pairs.map(async ({ mfaToken, code }) => {
          const response = await through(`${API}/access_tokens/second_factor`, jsonBody('POST', { mfa_token: mfaToken, code }));
          await response.arrayBuffer();
          return response.status;
        }),
      );
    // One mfa_token (begun on node 3), finished 20 times in parallel over all instances.
    const one = await passwordStep(2);
    const sameToken = await finishAll(Array.from({ length: 20 }, () => ({ mfaToken: one, code: totpCode(secret) })));
    // One recovery code over 20 logins begun on every instance.
    const logins = await Promise.all(Array.from({ length: 20 }, (_, i) => passwordStep(i)));
    const sameCode = await finishAll(logins.map((mfaToken) => ({ mfaToken, code: recoveryCodes[0] })));
    console.log(
      `two-step login through HAProxy: one mfa_token finished 20× in parallel: ${JSON.stringify(tally(sameToken))}; ` +
        `one recovery code over 20 logins: ${JSON.stringify(tally(sameCode))}`,
    );
    for (const statuses of [sameToken, sameCode]) {
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      // A code used already is a wrong code: past 10 from one client address (the balancer's), the login limit answers 429.
      for (const status of statuses) expect([200, 401, 422, 429]).toContain(status);
    }
    const [[{ count }]] = await db.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS count FROM security_events WHERE type = 'sign_in' AND user_id = (SELECT id FROM users WHERE email = ?)",
      [email],
    );
    expect(Number(count)).toBe(2);
  });

  it('a passkey ceremony begun on one instance finishes on another, for adding one and for signing in', async () => {
    const { email, token } = await activeUser();
    const auth = { 'Content-Type': 'application/json', Authorization: basicHeader(email, token) };
    const authenticator = new SoftwareAuthenticator(PASSKEY_ORIGIN);
    const creation = (await (
      await on(0, `${API}/passkeys/registration/options`, { method: 'POST', headers: auth, body: JSON.stringify({ password: PASSWORD }) })
    ).json()) as CreationOptions;
    const added = await on(1, `${API}/passkeys`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ response: authenticator.create(creation), name: 'Laptop' }),
    });
    expect(added.status).toBe(201);
    const request = (await (await on(2, `${API}/passkeys/authentication/options`, jsonBody('POST', {}))).json()) as RequestOptions;
    const response = authenticator.get(request);
    // The same response given to all three instances at once: one of them signs in.
    const statuses = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const answer = await on(i, `${API}/access_tokens/passkey`, jsonBody('POST', { response }));
        await answer.arrayBuffer();
        return answer.status;
      }),
    );
    console.log(
      `passkeys: added through instance 2 on options of instance 1; one response given to all three: ${JSON.stringify(tally(statuses))}`,
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(2);
  });

  it("an operator's disable and a key revoked by the keys command hold on every instance at once", async () => {
    const { email, token } = await activeUser();
    const name = `ops-${Date.now().toString(36)}`;
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['dist/cli.js', 'keys', ...args], {
        env: { ...process.env, ...instanceEnv(0) },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const created = cli('create', name, '--scopes', 'users:read,users:write');
    expect(created.status, created.stderr).toBe(0);
    const admin = { 'Content-Type': 'application/json', Authorization: `Bearer ${created.stdout.trim()}` };
    const found = await on(1, `/one_auth/admin/api/users?email=${encodeURIComponent(email)}`, { headers: admin });
    expect(found.status).toBe(200);
    const [{ id }] = ((await found.json()) as { users: { id: string }[] }).users;
    const disabled = await on(2, `/one_auth/admin/api/users/${id}/status`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ status: 'disabled' }),
    });
    expect(disabled.status).toBe(200);
    const checks = await Promise.all(
      [0, 1, 2].flatMap((i) => [
        on(i, `${API}/validations`, { headers: { Authorization: basicHeader(email, token) } }),
        on(i, `${API}/access_tokens`, { headers: { Authorization: basicHeader(email, PASSWORD) } }),
      ]),
    );
    expect(checks.map((response) => response.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(cli('revoke', name).status).toBe(0);
    const refused = await Promise.all([0, 1, 2].map((i) => on(i, '/one_auth/admin/api/users', { headers: admin })));
    console.log(
      `operators: disabled through instance 3, refused at once by ${checks.length} checks on all instances; key revoked by the command, ` +
        `then answered ${refused.map((response) => response.status).join(', ')} by instances 1-3`,
    );
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401]);
  });

  it('a sign-in with another provider begun on one instance finishes on the others: one of 20 callbacks with one state, one of 20 exchanges of its login code', async () => {
    const id = `google-${Date.now().toString(36)}`;
    const upstream = await UpstreamProvider.start([`http://127.0.0.1:${PORTS.http + 9}/one_auth/api/sign_in/${id}/callback`]);
    try {
      const added = spawnSync(
        process.execPath,
        [
          'dist/cli.js',
          'providers',
          'add',
          id,
          '--issuer',
          upstream.issuer,
          '--client-id',
          upstream.client.clientId,
          '--client-secret',
          '-',
          '--trust-email',
        ],
        { env: { ...process.env, ...instanceEnv(0) }, input: upstream.client.clientSecret, encoding: 'utf8', timeout: 60_000 },
      );
      expect(added.status, added.stderr).toBe(0);
      const sub = randomUUID();
      const email = uniqueEmail('cluster-social');
      upstream.users.set(sub, { email, email_verified: true });
      const start = await on(0, `${API}/sign_in/${id}?return_to=${encodeURIComponent(RETURN_TO)}`, { redirect: 'manual' });
      expect(start.status).toBe(302);
      const callback = await upstream.authorize(start.headers.get('location')!, sub);
      // Begun on instance 1; its callback, replayed 20 times at once, lands on instances 2 and 3.
      const callbacks = await Promise.all(
        Array.from({ length: 20 }, (_, k) => on(1 + (k % 2), callback.pathname + callback.search, { redirect: 'manual' })),
      );
      const winner = callbacks.find((response) => response.status === 302);
      const loginCode = new URL(winner?.headers.get('location') ?? RETURN_TO).searchParams.get('login_code');
      const exchanges = await Promise.all(
        Array.from({ length: 20 }, (_, k) => on(k % 3, `${API}/access_tokens/login_code`, jsonBody('POST', { login_code: loginCode }))),
      );
      console.log(
        `sign-in with another provider: 20 callbacks with one state on instances 2-3 answered ${JSON.stringify(tally(callbacks.map((r) => r.status)))}, ` +
          `20 exchanges of its login code on all instances ${JSON.stringify(tally(exchanges.map((r) => r.status)))}`,
      );
      expect(tally(callbacks.map((response) => response.status))).toEqual({ 302: 1, 400: 19 });
      expect(loginCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(tally(exchanges.map((response) => response.status))).toEqual({ 200: 1, 401: 19 });
      const signedIn = (await exchanges.find((response) => response.status === 200)!.json()) as { user_profile: { email: string } };
      expect(signedIn.user_profile.email).toBe(email);
    } finally {
      await upstream.stop();
    }
  });

  describe('Sign in with one_auth across instances', () => {
    const issuer = () => `${balancer.url}/one_auth/oidc`;
    const origins = () => instances.map((instance) => instance.url);
    const cli = (...args: string[]) => cliOf(instanceEnv(0))(...args);
    /** Each call the next instance: 1, 2, 3, 1, … */
    const roundRobin = () => {
      let calls = 0;
      return () => calls++ % 3;
    };

    async function signedIn(registered: RegisteredTestClient, email: string, browser = new BrowserSession()) {
      const rp = await relyingPartyOn(issuer(), registered, origins(), roundRobin());
      const request = await authorizationRequest(rp, { scope: 'openid email offline_access' });
      const { callback } = await loginAcrossInstances(browser, request.url, { email, password: PASSWORD }, origins(), roundRobin(), []);
      return { rp, tokens: await exchangeCode(rp, callback, request), browser };
    }

    it('a login through the login pages with every request on another instance than the one before', async () => {
      const { email } = await activeUser();
      const registered = registerByCli(cli, `cluster-login-${Date.now().toString(36)}`);
      const served: number[] = [];
      const next = roundRobin();
      const rp = await relyingPartyOn(issuer(), registered, origins(), next, served);
      const request = await authorizationRequest(rp, { scope: 'openid email' });
      const browser = new BrowserSession();
      const { callback, answers } = await loginAcrossInstances(
        browser,
        request.url,
        { email, password: PASSWORD },
        origins(),
        next,
        served,
      );
      const steps = answers.map((answer) => `${new URL(answer.url).pathname.replace(/\/[A-Za-z0-9_-]{16,}/, '/…')} ${answer.status}`);
      expect(callback.searchParams.get('code')).toBeTruthy();
      const tokens = await exchangeCode(rp, callback, request);
      const claims = await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
      console.log(
        `Sign in with one_auth: ${served.length} requests, instances ${served.map((i) => i + 1).join(' → ')}: ` +
          `${steps.join(', ')}, then the code exchange and userinfo`,
      );
      expect(claims.email).toBe(email);
      expect(pageKind(answers[1])).toBe('sign-in');
      // Never twice in a row on one instance, and all three took part.
      for (let k = 1; k < served.length; k++) expect(served[k]).not.toBe(served[k - 1]);
      expect(new Set(served).size).toBe(3);
      expect(served.length).toBeGreaterThanOrEqual(6);
    });

    it('a refresh token rotated on one instance and used again on another ends the whole grant on every instance', async () => {
      const { email } = await activeUser();
      const registered = registerByCli(cli, `cluster-refresh-${Date.now().toString(36)}`);
      const { tokens } = await signedIn(registered, email);
      const onNode = (i: number) => relyingPartyOn(issuer(), registered, origins(), () => i);
      const rotated = await client.refreshTokenGrant(await onNode(0), tokens.refresh_token!);
      noteTokens(rotated);
      expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
      const reuse = await oauthError(client.refreshTokenGrant(await onNode(1), tokens.refresh_token!));
      const refusals: string[] = [];
      for (const i of [0, 1, 2]) {
        const rp = await onNode(i);
        for (const accessToken of [rotated.access_token, tokens.access_token]) {
          refusals.push(`userinfo ${i + 1}: ${await oauthError(client.fetchUserInfo(rp, accessToken, client.skipSubjectCheck))}`);
        }
      }
      for (const i of [0, 1, 2]) {
        refusals.push(`refresh ${i + 1}: ${await oauthError(client.refreshTokenGrant(await onNode(i), rotated.refresh_token!))}`);
      }
      console.log(`refresh reuse: rotated on instance 1, the old token again on instance 2: ${reuse}; then ${refusals.join(', ')}`);
      expect(reuse).toBe('invalid_grant');
      expect(refusals).toEqual([
        ...[1, 2, 3].flatMap((n) => [`userinfo ${n}: invalid_token`, `userinfo ${n}: invalid_token`]),
        ...[1, 2, 3].map((n) => `refresh ${n}: invalid_grant`),
      ]);
    });

    it('a signing-key rotation by the command is published by all three instances within 60 s, and then signs tokens every instance verifies', async () => {
      const { email } = await activeUser();
      const rs256 = registerByCli(cli, `cluster-keys-${Date.now().toString(36)}`);
      const es256 = registerByCli(cli, `cluster-keys-es-${Date.now().toString(36)}`, 'ES256');
      const chains = [await signedIn(rs256, email), await signedIn(es256, email)].map(({ tokens }) => tokens.refresh_token!);
      const rotatedAt = Date.now();
      const next = nextKeysOf(cli('signing-keys', 'rotate'));
      expect(next.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
      // When each instance first published both new keys, in ms after the command returned.
      const publishedAfter: (number | null)[] = [null, null, null];
      while (publishedAfter.includes(null) && Date.now() - rotatedAt < 75_000) {
        for (const i of [0, 1, 2]) {
          if (publishedAfter[i] !== null) continue;
          const kids = await publishedKids(origins()[i]);
          if (next.every((key) => kids.includes(key.kid))) publishedAfter[i] = Date.now() - rotatedAt;
        }
        await sleep(250);
      }
      console.log(
        `signing keys: rotated by the command; the new keys published by instances 1-3 after ${publishedAfter.map((ms) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`)).join(', ')}`,
      );
      for (const ms of publishedAfter) expect(ms).not.toBeNull();
      expect(Math.max(...(publishedAfter as number[]))).toBeLessThan(60_000);

      // From its turn on (PUBLISH_LEAD_MS after the rotation), each instance signs with the new key, and every instance's JWKS verifies it.
      const signsFrom = Math.max(...next.map((key) => key.signsFrom));
      await sleep(Math.max(0, signsFrom - Date.now()));
      const signedAfter: number[] = [];
      for (const i of [0, 1, 2]) {
        for (const [c, registered] of [rs256, es256].entries()) {
          const wanted = next.find((key) => key.alg === registered.registration.id_token_signed_response_alg)!;
          const rp = await relyingPartyOn(issuer(), registered, origins(), () => i);
          for (;;) {
            // openid-client checks each ID token's signature against the instance's JWKS.
            const refreshed = await client.refreshTokenGrant(rp, chains[c]);
            noteTokens(refreshed);
            chains[c] = refreshed.refresh_token!;
            const { kid } = decodeProtectedHeader(refreshed.id_token!);
            if (kid === wanted.kid) {
              for (const origin of origins()) {
                const jwks = createLocalJWKSet((await (await fetch(`${origin}/one_auth/oidc/jwks`)).json()) as JSONWebKeySet);
                const { payload } = await jwtVerify(refreshed.id_token!, jwks, { issuer: issuer(), audience: registered.clientId });
                expect(payload.sub).toBe(refreshed.claims()!.sub);
              }
              break;
            }
            expect(Date.now() - signsFrom).toBeLessThan(60_000);
            await sleep(1_000);
          }
        }
        signedAfter.push(Date.now() - signsFrom);
      }
      console.log(
        `signing keys: the new RS256 and ES256 keys sign on instances 1-3 within ${signedAfter.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} ` +
          `of their turn (${((signsFrom - rotatedAt) / 1000).toFixed(0)} s after the rotation); their ID tokens verify against every instance's JWKS`,
      );
    }, 300_000);
  });

  it('20 registrations over all instances: 20 mails, each exactly once, all within 10 s', async () => {
    const emails = Array.from({ length: 20 }, () => uniqueEmail('mail'));
    const started = Date.now();
    const statuses = await Promise.all(emails.map(async (email) => (await through(`${API}/user`, jsonBody('POST', { email }))).status));
    expect(statuses).toEqual(emails.map(() => 201));
    while (Date.now() - started < 15_000 && !emails.every((email) => smtp.mailsTo(email).length > 0)) await sleep(50);
    const latest = Math.max(...emails.map((email) => (smtp.mailsTo(email)[0]?.receivedAt ?? Infinity) - started));
    await sleep(2_500); // a duplicate would come from another worker's next poll
    const counts = emails.map((email) => smtp.mailsTo(email).length);
    console.log(
      `mail: 20 registrations in parallel through HAProxy, every mail in ${latest} ms; copies per address ${JSON.stringify(tally(counts))}`,
    );
    expect(counts).toEqual(emails.map(() => 1));
    expect(latest).toBeLessThan(10_000);
  });

  it('an image uploaded through one instance is served by every other', async () => {
    const { email, token } = await activeUser();
    const png = await sharp({ create: { width: 12, height: 8, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'avatar.png');
    const uploaded = await on(1, `${API}/images`, { method: 'POST', body: form, headers: { Authorization: basicHeader(email, token) } });
    expect(uploaded.status).toBe(201);
    const { url } = (await uploaded.json()) as { url: string };
    const path = new URL(url).pathname;
    const served = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const response = await on(i, path);
        return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
      }),
    );
    console.log(`image: uploaded through instance 2, served by instances 1-3 with ${served.map((s) => s.status).join(', ')}`);
    for (const answer of served) {
      expect(answer.status).toBe(200);
      expect(answer.type).toBe('image/png');
      expect(answer.bytes.equals(served[1].bytes)).toBe(true);
    }
  });

  it('a Galera node killed mid-load: its instance turns unready, HAProxy drops it, nothing fails after that; the node rejoins', async () => {
    const { email, token } = await activeUser();
    const auth = { Authorization: basicHeader(email, token) };
    const victim = 2; // node 3, under instance 3
    const failures: { at: number; status: number }[] = [];
    let requests = 0;
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 6 }, async () => {
        while (loading) {
          const response = await through(`${API}/validations`, { headers: auth }).catch(() => null);
          requests++;
          if (response?.status !== 200) failures.push({ at: Date.now(), status: response?.status ?? 0 });
          await response?.arrayBuffer();
        }
      }),
    );
    await sleep(1_000);
    const killedAt = Date.now();
    await cluster.killNode(victim + 1);
    let unreadyAt = 0;
    let droppedAt = 0;
    while (Date.now() - killedAt < 30_000 && (!unreadyAt || !droppedAt)) {
      if (!unreadyAt && (await on(victim, '/one_auth/health/ready')).status === 503) unreadyAt = Date.now();
      if (!droppedAt && (await balancer.serverStates())[`one_auth${victim + 1}`]?.startsWith('DOWN')) droppedAt = Date.now();
      await sleep(100);
    }
    await sleep(3_000);
    const requestsWhileDown = requests;
    const failedAfterDrop = failures.filter((failure) => failure.at > droppedAt);
    const failedBefore = failures.filter((failure) => failure.at <= droppedAt);
    const restartAt = Date.now();
    await cluster.startNode(victim + 1);
    const syncedAt = Date.now();
    let backAt = 0;
    while (Date.now() - syncedAt < 30_000 && !backAt) {
      if ((await balancer.serverStates())[`one_auth${victim + 1}`] === 'UP') backAt = Date.now();
      else await sleep(200);
    }
    loading = false;
    await load;
    console.log(
      `node kill: instance unready after ${unreadyAt - killedAt} ms, HAProxy dropped it after ${droppedAt - killedAt} ms; ` +
        `${failedBefore.length} of the requests before that failed (${JSON.stringify(tally(failedBefore.map((f) => f.status)))}), ` +
        `${failedAfterDrop.length} after, of ${requestsWhileDown}; node restarted and synced in ${syncedAt - restartAt} ms, ` +
        `its instance back in rotation ${backAt - syncedAt} ms after that, without a restart`,
    );
    expect(unreadyAt).toBeGreaterThan(0);
    expect(droppedAt).toBeGreaterThan(0);
    expect(failedAfterDrop.filter((failure) => failure.at < restartAt)).toEqual([]);
    expect(backAt).toBeGreaterThan(0);
    expect((await on(victim, `${API}/validations`, { headers: auth })).status).toBe(200);
  }, 180_000);

  it(
    'an instance killed with SIGKILL mid-delivery: the mail it had claimed goes out exactly once after the claim lapses',
    async () => {
      const victim = 1;
      const emails = Array.from({ length: 5 }, () => uniqueEmail('crash'));
      // A slow SMTP server keeps the victim's claimed mail unsent when it dies.
      smtp.delayMs = 4_000;
      const statuses = await Promise.all(
        emails.map(async (email) => (await on(victim, `${API}/user`, jsonBody('POST', { email }))).status),
      );
      expect(statuses).toEqual(emails.map(() => 201));
      await sleep(500);
      const [held] = await db.query<mysql.RowDataPacket[]>(
        `SELECT recipient FROM mail_outbox WHERE recipient IN (?) AND status = 'pending' AND locked_until > ?`,
        [emails, Date.now()],
      );
      const killedAt = Date.now();
      await instances[victim].stop('SIGKILL');
      smtp.delayMs = 0;
      const deadline = killedAt + CLAIM_MS + 30_000;
      while (Date.now() < deadline && !emails.every((email) => smtp.mailsTo(email).length > 0)) await sleep(200);
      await sleep(3_000);
      const counts = emails.map((email) => smtp.mailsTo(email).length);
      const delays = emails.map((email) => (smtp.mailsTo(email)[0]?.receivedAt ?? NaN) - killedAt);
      // Mail claimed by the survivors goes out within seconds; the dead instance's only once its claim lapsed.
      const seconds = (list: number[]) => list.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ');
      const lapsed = delays.filter((ms) => ms >= CLAIM_MS - 5_000);
      console.log(
        `SIGKILL: ${held.length} of 5 mails under a claim when the instance died; ${lapsed.length} (the dead instance's) delivered ` +
          `${seconds(lapsed)} after the kill (claim ${CLAIM_MS / 1000} s), the others ${seconds(delays.filter((ms) => ms < CLAIM_MS - 5_000))}; ` +
          `copies per address ${JSON.stringify(tally(counts))}`,
      );
      expect(lapsed.length).toBeGreaterThan(0);
      expect(counts).toEqual(emails.map(() => 1));
    },
    CLAIM_MS + 90_000,
  );
});
