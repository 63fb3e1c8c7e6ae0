import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logRecordsSince, outputMark, outputSince } from './helpers/output-capture.js';
import { headerOf } from './helpers/smtp-sink.js';
import { createActiveUser, MAIL_DOMAIN, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';

/** The fields of a request line, and nothing else: no headers, no body, no URL. */
const REQUEST_LINE_KEYS = [
  'clientAddress',
  'hostname',
  'level',
  'method',
  'msg',
  'pid',
  'reqId',
  'responseTime',
  'route',
  'status',
  'time',
];

async function recordsOf(requestId: string, mark: number, expected = 1): Promise<Record<string, unknown>[]> {
  // The line is written when the answer has gone out, which may be a moment after the client has it.
  const deadline = Date.now() + 2000;
  for (;;) {
    const records = logRecordsSince(mark).filter((record) => record.reqId === requestId);
    if (records.length >= expected || Date.now() > deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('logs, as JSON lines', () => {
  let t: TestApp;
  let startMark: number;
  beforeAll(async () => {
    startMark = outputMark();
    t = await startTestApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'json', TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  it("routes Nest's own messages through the same logger, as JSON records with their context", () => {
    const records = logRecordsSince(startMark);
    expect(records.find((record) => record.msg === 'Nest application successfully started')).toMatchObject({
      level: 'info',
      context: 'NestApplication',
    });
  });

  it('writes one line per request: request id, method, route template, status, latency, client address', async () => {
    const requestId = `log-${randomUUID()}`;
    const mark = outputMark();
    await t.http
      .get('/one_auth/images/0123456789abcdef0123456789abcdef.png')
      .set('X-Request-Id', requestId)
      .set('X-Forwarded-For', '203.0.113.7')
      .expect(404);
    const records = await recordsOf(requestId, mark);
    expect(records).toHaveLength(1);
    const [line] = records;
    expect(Object.keys(line).sort()).toEqual(REQUEST_LINE_KEYS);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request completed',
      reqId: requestId,
      method: 'GET',
      route: '/one_auth/images/:name',
      status: 404,
      clientAddress: '203.0.113.7',
    });
    expect(line.responseTime).toEqual(expect.any(Number));
    expect(line.responseTime as number).toBeGreaterThanOrEqual(0);
    expect(new Date(line.time as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Exactly one line about it, whatever else was logged meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(outputSince(mark).split(requestId).length - 1).toBe(1);
  });

  it("writes the token check's line as any route's, answered or refused, with the client behind a trusted proxy", async () => {
    const user = await createActiveUser(t);
    const lines = [];
    for (const [secret, status] of [
      [user.token, 200],
      ['A'.repeat(43), 401],
    ] as const) {
      const requestId = `log-${randomUUID()}`;
      const mark = outputMark();
      await t.http
        .get(`${VALIDATIONS}?from=gateway`)
        .auth(user.email, secret)
        .set('X-Request-Id', requestId)
        .set('X-Forwarded-For', '198.51.100.23, 203.0.113.9')
        .expect(status);
      const records = await recordsOf(requestId, mark);
      expect(records).toHaveLength(1);
      expect(Object.keys(records[0]).sort()).toEqual(REQUEST_LINE_KEYS);
      lines.push(records[0]);
      expect(outputSince(mark)).not.toContain(secret);
    }
    // TRUST_PROXY=true: the client is the left-most address the proxies forwarded.
    const expected = { level: 'info', msg: 'request completed', method: 'GET', route: VALIDATIONS, clientAddress: '198.51.100.23' };
    expect(lines).toEqual([expect.objectContaining({ ...expected, status: 200 }), expect.objectContaining({ ...expected, status: 401 })]);
  });

  it('logs an authenticated request without its credentials, and with the id the service made', async () => {
    const user = await createActiveUser(t);
    const mark = outputMark();
    const response = await t.http.get(TOKENS).auth(user.email, user.password).expect(200);
    const requestId = response.headers['x-request-id'] as string;
    const [line] = await recordsOf(requestId, mark);
    expect(line).toMatchObject({ method: 'GET', route: TOKENS, status: 200, clientAddress: '127.0.0.1' });
    const output = outputSince(mark);
    expect(output).not.toContain(user.password);
    expect(output).not.toContain(response.body.access_token);
    expect(output).not.toContain(Buffer.from(`${user.email}:${user.password}`).toString('base64'));
  });

  it('logs requests refused before any route runs (415), and unknown paths without their URL', async () => {
    const mark = outputMark();
    const refused = await t.http.post(USER).set('Content-Type', 'text/plain').send('email=a@b.co').expect(415);
    const unknown = await t.http.get('/one_auth/api/no-such-thing?token=abcdefgh12345678').expect(404);
    const [refusedLine] = await recordsOf(refused.headers['x-request-id'] as string, mark);
    // Refused before the router runs: no route matched yet.
    expect(refusedLine).toMatchObject({ method: 'POST', route: null, status: 415 });
    const [unknownLine] = await recordsOf(unknown.headers['x-request-id'] as string, mark);
    expect(unknownLine).toMatchObject({ method: 'GET', route: null, status: 404 });
    expect(outputSince(mark)).not.toContain('abcdefgh12345678');
  });
});

describe('logs, other formats and levels', () => {
  it('LOG_FORMAT=pretty writes readable lines, not JSON', async () => {
    const mark = outputMark();
    const t = await startTestApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    try {
      const response = await t.http.get('/one_auth/health/live').expect(200);
      const requestId = response.headers['x-request-id'] as string;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const line = outputSince(mark)
        .split('\n')
        .find((text) => text.includes(requestId));
      expect(line).toContain('request completed');
      expect(line).not.toMatch(/^\{/);
      expect(logRecordsSince(mark)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('LOG_LEVEL=warn leaves request lines out', async () => {
    const mark = outputMark();
    const t = await startTestApp({ LOG_LEVEL: 'warn', LOG_FORMAT: 'json' });
    try {
      await t.http.get('/one_auth/health/live').expect(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(outputSince(mark)).not.toContain('request completed');
    } finally {
      await t.close();
    }
  });

  it('without SMTP_URL, logs the code of a file mail at debug level (a local run needs no mail server)', async () => {
    const mark = outputMark();
    const t = await startTestApp({ SMTP_URL: '', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' });
    try {
      const email = uniqueEmail('filemail');
      await t.http.post(USER).send({ email }).expect(201);
      const folder = join(t.dataDir, 'mail');
      let code: string | undefined;
      let mail = '';
      for (let i = 0; i < 100 && !code; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const files = (existsSync(folder) ? readdirSync(folder, { withFileTypes: true }) : []).filter((entry) =>
          entry.name.endsWith('.eml'),
        );
        mail = files.map((file) => readFileSync(join(folder, file.name), 'utf8')).find((raw) => raw.includes(email)) ?? '';
        code = /validation code is (\d{6})/.exec(mail)?.[1];
      }
      expect(code).toMatch(/^\d{6}$/);
      // The file carries the Message-ID fixed in the outbox row, as mail over SMTP does.
      const [{ message_id: queuedAs }] = (await t.dataSource.query('SELECT message_id FROM mail_outbox WHERE recipient = ?', [email])) as {
        message_id: string;
      }[];
      expect(headerOf(mail, 'Message-ID')).toBe(`<${queuedAs}@${MAIL_DOMAIN}>`);
      const debug = logRecordsSince(mark).find((record) => record.level === 'debug' && String(record.msg).includes(code!));
      expect(debug).toMatchObject({ context: 'Mail', msg: `mail to ${email}: Your one_auth validation code is ${code}` });
    } finally {
      await t.close();
    }
  });
});
