import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { comparableLine, requestCounts } from '../bench/token-check-matrix.mjs';
import { Metrics } from '../src/metrics/metrics.js';
import { OidcProviderHost } from '../src/oidc/oidc-provider.host.js';
import { disableAccount } from './helpers/api-keys.js';
import { BrowserSession } from './helpers/browser-session.js';
import { client, type OidcTestApp, registerClient, relyingParty, signIn, startOidcTestApp } from './helpers/oidc-rp.js';
import { outputMark, outputSince } from './helpers/output-capture.js';
import { basic, createActiveUser } from './helpers/test-app.js';

const LOGGED = { LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
const USERINFO = '/one_auth/oidc/me';
const APP_ORIGIN = 'https://app.example.com';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The request lines written since `mark` (the provider's and ours alike), as compared, once `count` of them are out. */
async function requestLinesSince(mark: number, count: number): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const lines = outputSince(mark)
      .split('\n')
      .filter((line) => line.includes('"reqId"') && line.includes(USERINFO));
    if (lines.length >= count || Date.now() > deadline) return lines.map(comparableLine).sort();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Userinfo with its answer ahead of Express and the provider's pipeline (as
 * it runs) and without it (every request through the provider), on one
 * database: the same answers, request lines and metrics for plain requests
 * and for every form the provider alone answers; the answer ahead taken for
 * the plain ones; and whatever is thrown there left to the provider.
 */
describe('userinfo answered ahead of the provider', () => {
  let ahead: OidcTestApp;
  let providerOnly: OidcTestApp;
  const unhandled: unknown[] = [];
  const noteUnhandled = (reason: unknown) => unhandled.push(reason);
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    process.on('unhandledRejection', noteUnhandled);
    const secret = randomBytes(32).toString('hex');
    ahead = await startOidcTestApp({ ...LOGGED, SECRET: secret });
    providerOnly = await startOidcTestApp(
      { ...LOGGED, SECRET: secret, DATA_DIR: ahead.dataDir, OIDC_ISSUER: ahead.issuer },
      { userinfoAhead: false },
    );

    const user = await createActiveUser(ahead);
    await ahead.http
      .put('/one_auth/api/user/profile')
      .set('Authorization', basic(user.email, user.token))
      .send({ first_name: 'Ada', last_name: 'Lovelace', country: 'GB', department: 'R&D', avatar: 'https://cdn.example.com/ada.png' })
      .expect(200);
    const answers = { email: user.email, password: user.password };
    const browser = new BrowserSession();
    const publicApp = await relyingParty(ahead.issuer, await registerClient(ahead));
    const pairwiseApp = await relyingParty(ahead.issuer, await registerClient(ahead, { subject_type: 'pairwise' }));
    const tokenFor = async (app: client.Configuration, scope: string, who = answers, session = browser) =>
      (await signIn(app, who, { scope }, session)).tokens.access_token;
    tokens.openid = await tokenFor(publicApp, 'openid');
    tokens.all = await tokenFor(publicApp, 'openid profile email address');
    tokens.reordered = await tokenFor(publicApp, 'address email openid');
    tokens.pairwise = await tokenFor(pairwiseApp, 'openid email');
    // A revoked access token takes its grant with it: another person's, not to revoke the tokens above.
    const third = await createActiveUser(ahead);
    tokens.revoked = await tokenFor(publicApp, 'openid email', { email: third.email, password: third.password }, new BrowserSession());
    await client.tokenRevocation(publicApp, tokens.revoked);
    const other = await createActiveUser(ahead);
    tokens.disabled = await tokenFor(publicApp, 'openid email', { email: other.email, password: other.password }, new BrowserSession());
    await disableAccount(ahead, other.email);
  });
  afterAll(async () => {
    process.off('unhandledRejection', noteUnhandled);
    await providerOnly?.close();
    await ahead?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    expect(unhandled).toEqual([]);
  });

  /** Every request of the comparison: the plain ones first (answered ahead), then the forms only the provider answers. */
  const requests = (): { name: string; plain: boolean; path?: string; init: RequestInit }[] => {
    const bearer = (token: string, more: Record<string, string> = {}) => ({ headers: { Authorization: `Bearer ${token}`, ...more } });
    return [
      { name: 'openid', plain: true, init: bearer(tokens.openid) },
      { name: 'every scope', plain: true, init: bearer(tokens.all) },
      { name: 'scopes in another order', plain: true, init: bearer(tokens.reordered) },
      { name: 'a pairwise client', plain: true, init: bearer(tokens.pairwise) },
      { name: 'a request id sent', plain: true, init: bearer(tokens.all, { 'X-Request-Id': 'userinfo-given' }) },
      { name: 'a revoked token', plain: false, init: bearer(tokens.revoked) },
      { name: "a disabled account's token", plain: false, init: bearer(tokens.disabled) },
      { name: 'an unknown token', plain: false, init: bearer('A'.repeat(43)) },
      { name: 'an empty bearer', plain: false, init: { headers: { Authorization: 'Bearer ' } } },
      { name: 'two words', plain: false, init: bearer(`${tokens.all} more`) },
      { name: 'a lower-case scheme', plain: false, init: { headers: { Authorization: `bearer ${tokens.all}` } } },
      { name: 'no token', plain: false, init: {} },
      { name: 'an Origin (CORS)', plain: false, init: bearer(tokens.all, { Origin: APP_ORIGIN }) },
      { name: 'a DPoP proof', plain: false, init: bearer(tokens.all, { DPoP: 'not.a.proof' }) },
      { name: 'a scope in the query', plain: false, path: `${USERINFO}?scope=openid`, init: bearer(tokens.all) },
      { name: 'the token in the query', plain: false, path: `${USERINFO}?access_token=${tokens.all}`, init: {} },
      { name: 'POST with the header', plain: false, init: { method: 'POST', ...bearer(tokens.all) } },
      {
        name: 'POST with the token in the body',
        plain: false,
        init: {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ access_token: tokens.all }).toString(),
        },
      },
      { name: 'HEAD', plain: false, init: { method: 'HEAD', ...bearer(tokens.all) } },
    ];
  };

  async function send(t: OidcTestApp, path: string, init: RequestInit): Promise<Answer> {
    const answer = await fetch(`${t.origin}${path}`, init);
    const headers = Object.fromEntries(answer.headers);
    delete headers.date;
    if (!(init.headers as Record<string, string> | undefined)?.['X-Request-Id']) {
      expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      headers['x-request-id'] = 'R';
    }
    return { status: answer.status, headers, body: await answer.text() };
  }

  it('answers every request as the provider alone does, with the same request lines and metrics, and the plain ones ahead', async () => {
    const runs = [];
    for (const t of [ahead, providerOnly]) {
      const host = t.app.get(OidcProviderHost);
      const answeredAhead = vi.spyOn(host, 'answerUserinfo');
      const pipeline = vi.spyOn(host, 'handle');
      const mark = outputMark();
      const answers: Record<string, Answer> = {};
      for (const request of requests()) {
        const calls = pipeline.mock.calls.length;
        answers[request.name] = await send(t, request.path ?? USERINFO, request.init);
        // Ahead, a plain request never reaches the provider's pipeline; all others do, and everything on the other instance.
        expect(pipeline.mock.calls.length - calls, request.name).toBe(t === ahead && request.plain ? 0 : 1);
      }
      const plain = requests().filter((request) => request.plain).length;
      // Tried ahead: the plain requests, and the three whose token is then refused (left to the provider).
      expect(answeredAhead).toHaveBeenCalledTimes(t === ahead ? plain + 3 : 0);
      const lines = await requestLinesSince(mark, requests().length);
      const counts = requestCounts(await t.app.get(Metrics).registry.metrics()).filter((line) => line.includes(USERINFO));
      runs.push({ answers, lines, counts });
      for (const token of Object.values(tokens)) expect(outputSince(mark)).not.toContain(token);
      vi.restoreAllMocks();
    }
    const [first, second] = runs;
    const sub = JSON.parse(first.answers.openid.body).sub as string;
    expect(JSON.parse(first.answers.openid.body)).toEqual({ sub });
    expect(JSON.parse(first.answers['every scope'].body)).toMatchObject({
      sub,
      given_name: 'Ada',
      address: { country: 'GB' },
      email_verified: true,
    });
    expect(JSON.parse(first.answers['a pairwise client'].body).sub).not.toBe(sub);
    expect(first.answers['a request id sent'].headers['x-request-id']).toBe('userinfo-given');
    for (const refused of ['a revoked token', "a disabled account's token", 'an unknown token'])
      expect(first.answers[refused].status).toBe(401);
    expect(first.lines).toHaveLength(requests().length);
    expect(first.counts.length).toBeGreaterThan(2);
    expect(first).toEqual(second);
  });

  it('leaves to the provider a request whose answer ahead failed', async () => {
    const host = ahead.app.get(OidcProviderHost);
    vi.spyOn(host, 'answerUserinfo').mockRejectedValueOnce(new Error('lookup exploded'));
    const pipeline = vi.spyOn(host, 'handle');
    const answer = await send(ahead, USERINFO, { headers: { Authorization: `Bearer ${tokens.all}` } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ given_name: 'Ada' });
    expect(pipeline).toHaveBeenCalledTimes(1);
  });

  it('keeps serving when recording an answer already sent fails, and logs it', async () => {
    vi.spyOn(ahead.app.get(Metrics), 'observeRequest').mockImplementationOnce(() => {
      throw new Error('metrics exploded');
    });
    const mark = outputMark();
    const bearer = { Authorization: `Bearer ${tokens.all}` };
    const answered = await send(ahead, USERINFO, { headers: { ...bearer, 'X-Request-Id': 'userinfo-record-fails' } });
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({ given_name: 'Ada' });
    expect(outputSince(mark)).toContain('request userinfo-record-fails failed after its answer: Error: metrics exploded');
    expect((await send(ahead, USERINFO, { headers: bearer })).status).toBe(200);
  });

  it("sees a grant revoked through the person's apps (50) at once", async () => {
    const user = await createActiveUser(ahead);
    const registered = await registerClient(ahead);
    const app = await relyingParty(ahead.issuer, registered);
    const token = (await signIn(app, { email: user.email, password: user.password }, { scope: 'openid email' })).tokens.access_token;
    const bearer = { headers: { Authorization: `Bearer ${token}` } };
    expect((await send(ahead, USERINFO, bearer)).status).toBe(200);
    await ahead.http
      .delete(`/one_auth/api/user/apps/${registered.clientId}`)
      .set('Authorization', basic(user.email, user.token))
      .expect(200);
    for (const t of [ahead, providerOnly]) expect((await send(t, USERINFO, bearer)).status).toBe(401);
  });
});
