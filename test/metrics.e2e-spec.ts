import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheus, type Sample, valueOf } from './helpers/prometheus.js';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const METRICS = '/one_auth/metrics';
const USER = '/one_auth/api/user';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const METRICS_TOKEN = 'metrics-token-for-the-scraper';

describe('metrics (/one_auth/metrics, METRICS_TOKEN set)', () => {
  let t: TestApp;
  let suiteStartedAt: number;
  beforeAll(async () => {
    suiteStartedAt = Date.now();
    t = await startTestApp({ METRICS_TOKEN, LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '2/15m' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function scrape(): Promise<Sample[]> {
    const response = await t.http.get(METRICS).set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parsePrometheus(response.text);
  }

  it.each([
    ['no Authorization', undefined],
    ['a wrong token', `Bearer ${METRICS_TOKEN}x`],
    ['an empty token', 'Bearer '],
    ['the token as Basic', `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`],
  ])('answers 401 with %s', async (_case, authorization) => {
    const request = t.http.get(METRICS);
    if (authorization) request.set('Authorization', authorization);
    const response = await request.expect(401);
    expect(response.body).toEqual({ message: 'Metrics token is not correct' });
    expect(response.text).not.toContain('one_auth_');
  });

  it('takes the Bearer scheme in any case (RFC 6750)', async () => {
    await t.http.get(METRICS).set('Authorization', `bearer ${METRICS_TOKEN}`).expect(200);
  });

  it('exposes process metrics', async () => {
    const samples = await scrape();
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts what a flow did: codes, mail, argon2, logins by outcome, 429s by rule, requests by route and status', async () => {
    const before = await scrape();
    const user = await createActiveUser(t, uniqueEmail('metrics'));
    await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
    await t.http.get(TOKENS).auth(user.email, 'not the password at all').expect(401);
    await t.http.get(TOKENS).auth(user.email, 'not the password either').expect(401);
    await t.http.get(TOKENS).auth(user.email, 'and a third wrong one').expect(429);
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(moved('one_auth_codes_issued_total')).toBe(1);
    expect(moved('one_auth_mail_delivered_total')).toBe(1);
    expect(moved('one_auth_logins_total', { outcome: 'success' })).toBe(1);
    expect(moved('one_auth_logins_total', { outcome: 'failure' })).toBe(2);
    expect(moved('one_auth_logins_total', { outcome: 'rate_limited' })).toBe(1);
    expect(moved('one_auth_rate_limited_total', { rule: 'login:account+address' })).toBe(1);
    // Activation hashes once; a login verifies once per password tried (not the one refused by the limit).
    expect(moved('one_auth_argon2_duration_seconds_count', { operation: 'hash' })).toBe(1);
    expect(moved('one_auth_argon2_duration_seconds_count', { operation: 'verify' })).toBe(3);
    expect(moved('one_auth_argon2_duration_seconds_sum', { operation: 'verify' })).toBeGreaterThan(0);
    const requests = (route: string, status: string, method = 'GET') =>
      moved('one_auth_http_request_duration_seconds_count', { method, route, status });
    expect(requests(USER, '201', 'POST')).toBe(1);
    expect(requests(USER, '200', 'PUT')).toBe(1);
    expect(requests(TOKENS, '200')).toBe(1);
    expect(requests(TOKENS, '401')).toBe(2);
    expect(requests(TOKENS, '429')).toBe(1);
    expect(requests(VALIDATIONS, '200')).toBe(1);
    // Every request lands in some bucket, the +Inf one at least.
    expect(moved('one_auth_http_request_duration_seconds_bucket', { route: VALIDATIONS, status: '200', le: '+Inf' })).toBe(1);
  });

  it('shows the outbox filling while the mail server is down, delivery failures, and the backlog draining', async () => {
    // On a shared database (MariaDB in CI) earlier suites may have left mail
    // for SMTP servers long gone; the gauges read the whole table, so start
    // from an empty queue. Mail of this suite's own app has been delivered.
    await t.dataSource.query("DELETE FROM mail_outbox WHERE status = 'pending' AND created_at < ?", [suiteStartedAt]);
    const before = await scrape();
    expect(valueOf(before, 'one_auth_mail_outbox_depth')).toBe(0);
    expect(valueOf(before, 'one_auth_mail_outbox_oldest_age_seconds')).toBe(0);
    const port = t.smtp.port;
    await t.smtp.stop();
    const email = uniqueEmail('metrics-outage');
    await t.http.post(USER).send({ email }).expect(201);
    // The worker tries at once, fails, and retries about a second later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const during = await scrape();
    expect(valueOf(during, 'one_auth_mail_outbox_depth')).toBe(1);
    expect(valueOf(during, 'one_auth_mail_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(during, 'one_auth_mail_delivery_failures_total') - valueOf(before, 'one_auth_mail_delivery_failures_total'),
    ).toBeGreaterThanOrEqual(1);
    await t.smtp.start(port);
    await t.smtp.waitForCode(email, 1, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await scrape();
    expect(valueOf(after, 'one_auth_mail_outbox_depth')).toBe(0);
    expect(valueOf(after, 'one_auth_mail_outbox_oldest_age_seconds')).toBe(0);
  }, 40_000);

  it('shows the MySQL connection pool (on MySQL only)', async () => {
    const samples = await scrape();
    const pool = samples.filter((sample) => sample.name === 'one_auth_db_pool_connections');
    if (t.dataSource.options.type !== 'mysql') {
      expect(pool).toEqual([]);
      return;
    }
    // The scrape itself holds a connection while it reads the outbox; afterwards it is back.
    expect(pool.map((sample) => sample.labels.state).sort()).toEqual(['idle', 'in_use']);
    expect(valueOf(samples, 'one_auth_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(samples.some((sample) => sample.name === 'one_auth_db_pool_waiting')).toBe(true);
  });
});

describe('metrics without METRICS_TOKEN', () => {
  it('answers anyone, outside the API prefix, never cached', async () => {
    const t = await startTestApp();
    try {
      const response = await t.http.get(METRICS).expect(200);
      expect(response.text).toContain('# TYPE one_auth_http_request_duration_seconds histogram');
      expect(response.headers['cache-control']).toBe('no-store');
      await t.http.get('/one_auth/api/metrics').expect(404);
    } finally {
      await t.close();
    }
  });
});
