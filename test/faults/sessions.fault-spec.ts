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
 * Two service processes on one database: a session revoked, a password
 * changed or an account deleted through one instance is refused by the
 * other on the very next request (no cache of tokens anywhere).
 */
describe('account lifecycle across instances', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let a: ServiceProcess;
  let b: ServiceProcess;

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-lifecycle-'));
    const env = {
      ...sharedInstanceEnv(dataDir, smtp.url),
      LIMIT_CODE_MAILS_PER_ADDRESS: '100000/1h',
      LIMIT_LOGIN_FAILURES_PER_ADDRESS: '100000/15m',
    };
    a = await startServiceProcess(env);
    b = await startServiceProcess(env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const activate = (email: string) => activateThrough(a, smtp, email, PASSWORD);

  async function login(via: ServiceProcess, email: string): Promise<string> {
    const response = await fetch(`${via.url}/one_auth/api/access_tokens`, { headers: { Authorization: basicHeader(email, PASSWORD) } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  const check = (via: ServiceProcess, email: string, token: string) =>
    fetch(`${via.url}/one_auth/api/validations`, { headers: { Authorization: basicHeader(email, token) } }).then((r) => r.status);

  it('a session revoked on one instance is refused by the other at once', async () => {
    const email = uniqueEmail('revoked');
    const token = await activate(email);
    const other = await login(b, email);
    // Used on instance A, so A has it in its recent uses.
    expect(await check(a, email, other)).toBe(200);
    const list = await fetch(`${b.url}/one_auth/api/sessions`, { headers: { Authorization: `Bearer ${token}` } });
    const { sessions } = (await list.json()) as { sessions: { id: string; current: boolean }[] };
    const target = sessions.find((session) => !session.current)!;
    const revoke = await fetch(`${b.url}/one_auth/api/sessions/${target.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(revoke.status).toBe(200);
    expect(await check(a, email, other)).toBe(401);
    expect(await check(b, email, other)).toBe(401);
    expect(await check(a, email, token)).toBe(200);
  });

  it('a changed password signs the other sessions out on both instances', async () => {
    const email = uniqueEmail('changed');
    const token = await activate(email);
    const other = await login(a, email);
    expect(await check(b, email, other)).toBe(200);
    const change = await fetch(`${b.url}/one_auth/api/user/password`, {
      method: 'PUT',
      headers: { ...json, Authorization: `Bearer ${token}` },
      body: JSON.stringify({ password: PASSWORD, new_password: 'another fine passphrase' }),
    });
    expect(change.status).toBe(200);
    expect(await check(a, email, other)).toBe(401);
    expect(await check(a, email, token)).toBe(200);
  });

  it("a deleted account's token is refused by the other instance at once", async () => {
    const email = uniqueEmail('deleted');
    const token = await activate(email);
    expect(await check(b, email, token)).toBe(200);
    const deletion = await fetch(`${a.url}/one_auth/api/user`, {
      method: 'DELETE',
      headers: { Authorization: basicHeader(email, PASSWORD) },
    });
    expect(deletion.status).toBe(200);
    expect(await check(b, email, token)).toBe(401);
    expect(await check(a, email, token)).toBe(401);
  });
});
