import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateThrough, basicHeader, type ServiceProcess, sharedInstanceEnv, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { uniqueEmail } from '../helpers/test-app.js';

const PASSWORD = 'correct horse battery staple';
const json = { 'Content-Type': 'application/json' };

/**
 * Two service processes on one database and one SMTP server: what one
 * instance does, the other sees at once, and their mail workers never send
 * a message twice.
 */
describe('several instances on one database', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let a: ServiceProcess;
  let b: ServiceProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-instances-'));
    env = {
      ...sharedInstanceEnv(dataDir, smtp.url),
      LIMIT_CODE_MAILS_PER_ADDRESS: '100000/1h',
    };
    a = await startServiceProcess(env);
    b = await startServiceProcess(env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const activate = (via: ServiceProcess, email: string) => activateThrough(via, smtp, email, PASSWORD);

  it('a token revoked on one instance fails on the other at once', async () => {
    const email = uniqueEmail('twin');
    const token = await activate(a, email);
    const check = (via: ServiceProcess) =>
      fetch(`${via.url}/one_auth/api/validations`, { headers: { Authorization: basicHeader(email, token) } });
    expect((await check(b)).status).toBe(200);
    const logout = await fetch(`${b.url}/one_auth/api/access_tokens`, {
      method: 'DELETE',
      headers: { Authorization: basicHeader(email, token) },
    });
    expect(logout.status).toBe(200);
    expect((await check(a)).status).toBe(401);
    expect((await check(b)).status).toBe(401);
  });

  it('codes sent by either instance arrive exactly once each', async () => {
    const emails = Array.from({ length: 30 }, () => uniqueEmail('worker'));
    const responses = await Promise.all(
      emails.map((email, i) =>
        fetch(`${(i % 2 ? a : b).url}/one_auth/api/user`, { method: 'POST', headers: json, body: JSON.stringify({ email }) }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(emails.map(() => 201));
    for (const email of emails) await smtp.waitForCode(email);
    // Both workers poll every 2 s: give them time to (wrongly) send again.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    for (const email of emails) expect(smtp.mailsTo(email)).toHaveLength(1);
  }, 30_000);

  it('drains requests in flight on SIGTERM and exits 0', async () => {
    // A slow password hash (argon2 with 20 passes) keeps the logins in flight long enough to signal during them.
    const slow = await startServiceProcess({ ...env, ARGON2_TIME_COST: '20' });
    const email = uniqueEmail('drain');
    await activate(slow, email);
    const started = Date.now();
    const logins = Array.from({ length: 12 }, () =>
      fetch(`${slow.url}/one_auth/api/access_tokens`, { headers: { Authorization: basicHeader(email, PASSWORD) } }).then((response) => ({
        status: response.status,
        at: Date.now() - started,
      })),
    );
    // Long enough for every connection to be accepted, far shorter than the work.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalledAt = Date.now() - started;
    const exit = slow.stop('SIGTERM');
    const answers = await Promise.all(logins);
    expect(
      answers.map((answer) => answer.status),
      JSON.stringify(answers) + ' signalled at ' + signalledAt,
    ).toEqual(answers.map(() => 200));
    expect(Math.max(...answers.map((answer) => answer.at))).toBeGreaterThan(signalledAt);
    expect(await exit).toBe(0);
    expect((await fetch(`${b.url}/one_auth/health/ready`)).status).toBe(200);
  }, 60_000);
});
