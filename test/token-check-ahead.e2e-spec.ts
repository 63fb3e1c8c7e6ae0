import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  comparableLine,
  type MatrixAnswer,
  matrixAccounts,
  matrixRequests,
  requestCounts,
  seedMatrixAccounts,
  sendMatrixRequest,
  VALIDATIONS,
} from '../bench/token-check-matrix.mjs';
import type { TokenPrincipal } from '../src/auth/access-tokens.service.js';
import { AccessTokensService } from '../src/auth/access-tokens.service.js';
import { Metrics } from '../src/metrics/metrics.js';
import { outputMark, outputSince } from './helpers/output-capture.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const LOGGED = { LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
const BAD_TOKEN = { message: 'Email or token is not correct' };
const CHALLENGE = 'Basic realm="one_auth", charset="UTF-8"';
const SERVER_ERROR = { message: 'Internal server error' };

/** The request lines written since `mark`, as compared (see comparableLine), once `count` of them are out. */
async function requestLinesSince(mark: number, count: number): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const lines = outputSince(mark)
      .split('\n')
      .filter((line) => line.includes('"reqId"'));
    if (lines.length >= count || Date.now() > deadline) return lines.map(comparableLine);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The token check with its answer ahead of Express (as it runs) and without
 * it (every request through Nest's route and the token strategy), on one
 * database: the same answers, request lines and metrics; a refused token
 * looked up once; and whatever is thrown while answering ahead becomes the
 * error contract's 500, never an unhandled rejection.
 */
describe('the token check answered ahead of Express', () => {
  const accounts = matrixAccounts(randomUUID().slice(0, 8));
  const basic = `Basic ${Buffer.from(`${accounts.active.email}:${accounts.active.token}`).toString('base64')}`;
  let ahead: TestApp;
  let nestOnly: TestApp;
  const base: Record<'ahead' | 'nestOnly', string> = { ahead: '', nestOnly: '' };
  const unhandled: unknown[] = [];
  const noteUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', noteUnhandled);
    ahead = await startTestApp(LOGGED);
    nestOnly = await startTestApp({ ...LOGGED, DATA_DIR: ahead.dataDir }, { tokenCheckAhead: false });
    await seedMatrixAccounts((sql, params) => ahead.dataSource.query(sql, params), accounts);
    for (const [name, t] of [
      ['ahead', ahead],
      ['nestOnly', nestOnly],
    ] as const) {
      await t.app.listen(0, '127.0.0.1');
      base[name] = await t.app.getUrl();
    }
  });
  afterAll(async () => {
    process.off('unhandledRejection', noteUnhandled);
    await nestOnly?.close();
    await ahead?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    expect(unhandled).toEqual([]);
  });

  it('answers the 37 requests of the matrix as Nest alone does, with the same request lines and metrics', async () => {
    const runs = [];
    for (const t of [ahead, nestOnly]) {
      const url = t === ahead ? base.ahead : base.nestOnly;
      const mark = outputMark();
      const answers: MatrixAnswer[] = [];
      for (const request of matrixRequests(accounts)) answers.push(await sendMatrixRequest(url, request));
      // A line is written when its answer has gone out; their order is that of the closing sockets.
      const lines = (await requestLinesSince(mark, answers.length)).sort();
      const counts = requestCounts(await t.app.get(Metrics).registry.metrics());
      runs.push({ answers, lines, counts });
      // Gateways forward any request they guard: methods the document cannot name (OpenAPI 3.0 has no SEARCH
      // or PROPFIND, and declares no bodiless HEAD), and a path in another case, which Express matches anyway.
      t.leaveOutOfContract(({ method, path }) => ['HEAD', 'SEARCH', 'PROPFIND'].includes(method) || path === '/one_auth/API/validations');
      for (const { token } of [accounts.active, accounts.encoded, accounts.expired]) expect(outputSince(mark)).not.toContain(token);
    }
    const [first, second] = runs;
    expect(first.answers).toHaveLength(37);
    expect(new Set(first.answers.map((answer) => answer.status))).toEqual(new Set([200, 401, 404]));
    expect(first.lines).toHaveLength(37);
    expect(first.counts.length).toBeGreaterThan(10);
    expect(first).toEqual(second);
  });

  it('looks a refused token up once: the refusal travels to the token strategy', async () => {
    for (const t of [ahead, nestOnly]) {
      const lookups = vi.spyOn(t.app.get(AccessTokensService), 'authenticate');
      const refused = await t.http.get(VALIDATIONS).auth(accounts.active.email, 'A'.repeat(43)).expect(401);
      expect(refused.body).toEqual(BAD_TOKEN);
      expect(refused.headers['www-authenticate']).toBe(CHALLENGE);
      expect(lookups).toHaveBeenCalledTimes(1);
      await t.http.get(VALIDATIONS).set('Authorization', 'Digest abc').expect(401);
      expect(lookups).toHaveBeenCalledTimes(1);
      lookups.mockRestore();
    }
  });

  it("answers an error of the lookup with the error contract's 500 and a request id, logs it, and serves on", async () => {
    const answers = [];
    for (const t of [ahead, nestOnly]) {
      const lookups = vi.spyOn(t.app.get(AccessTokensService), 'authenticate').mockRejectedValueOnce(new Error('lookup exploded'));
      const mark = outputMark();
      const failed = await t.http.get(VALIDATIONS).set('Authorization', basic).set('X-Request-Id', 'lookup-fails').expect(500);
      expect(failed.body).toEqual(SERVER_ERROR);
      expect(failed.headers['x-request-id']).toBe('lookup-fails');
      expect(failed.headers['x-user-id']).toBeUndefined();
      expect(lookups).toHaveBeenCalledTimes(1);
      expect(outputSince(mark)).toContain('request lookup-fails failed: Error: lookup exploded');
      const [line] = await requestLinesSince(mark, 1);
      expect(JSON.parse(line)).toMatchObject({ reqId: 'lookup-fails', status: 500, route: VALIDATIONS, msg: 'request failed' });
      await t.http.get(VALIDATIONS).set('Authorization', basic).expect(200);
      const { date: _date, ...headers } = failed.headers;
      answers.push({ status: failed.status, headers, body: failed.text });
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it("answers a throw inside the answer, after the lookup, with the error contract's 500 and nothing of the answer", async () => {
    const broken = { tokenId: 1, accessToken: accounts.active.token, user: undefined } as unknown as TokenPrincipal;
    vi.spyOn(ahead.app.get(AccessTokensService), 'authenticate').mockResolvedValueOnce(broken);
    const mark = outputMark();
    const failed = await ahead.http
      .get(VALIDATIONS)
      .set('Authorization', basic)
      .set('X-Request-Id', 'answer-fails')
      .timeout(5000)
      .expect(500);
    expect(failed.body).toEqual(SERVER_ERROR);
    expect(failed.headers['x-request-id']).toBe('answer-fails');
    expect(failed.headers['x-user-id']).toBeUndefined();
    expect(failed.headers['cache-control']).toBe('no-store');
    expect(outputSince(mark)).toMatch(/request answer-fails failed: TypeError: /);
    await ahead.http.get(VALIDATIONS).set('Authorization', basic).expect(200);
  });

  it('keeps serving when recording an answer already sent fails, and logs it', async () => {
    vi.spyOn(ahead.app.get(Metrics), 'observeRequest').mockImplementationOnce(() => {
      throw new Error('metrics exploded');
    });
    const mark = outputMark();
    const answered = await ahead.http.get(VALIDATIONS).set('Authorization', basic).set('X-Request-Id', 'record-fails').expect(200);
    expect(answered.body.email).toBe(accounts.active.email);
    expect(outputSince(mark)).toContain('request record-fails failed after its answer: Error: metrics exploded');
    await ahead.http.get(VALIDATIONS).set('Authorization', basic).expect(200);
  });
});
