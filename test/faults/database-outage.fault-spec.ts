import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { uniqueEmail } from '../helpers/test-app.js';

// Set by .ci/run: the folder and port of the throwaway MariaDB this test may stop and start.
const MARIADB_DIR = process.env.FAULT_MARIADB_DIR;
const MARIADB_PORT = process.env.FAULT_MARIADB_PORT;
const json = { 'Content-Type': 'application/json' };

async function timed(call: () => Promise<Response>): Promise<{ status: number; ms: number; body: unknown }> {
  const started = Date.now();
  const response = await call();
  return { status: response.status, ms: Date.now() - started, body: await response.json() };
}

describe.runIf(MARIADB_DIR && MARIADB_PORT && process.env.DATABASE_URL)('MariaDB outage', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let service: ServiceProcess;
  const mariadb = (...args: string[]) =>
    execFileSync('bash', ['scripts/mariadb-throwaway.sh', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-outage-'));
    service = await startServiceProcess({ DATA_DIR: dataDir, SMTP_URL: smtp.url, DATABASE_URL: process.env.DATABASE_URL! });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 within seconds while the database is down, and recovers by itself', async () => {
    const before = uniqueEmail('before');
    expect(
      (
        await timed(() =>
          fetch(`${service.url}/one_auth/api/user`, { method: 'POST', headers: json, body: JSON.stringify({ email: before }) }),
        )
      ).status,
    ).toBe(201);

    mariadb('stop-server', MARIADB_DIR!);
    try {
      const ready = await timed(() => fetch(`${service.url}/one_auth/health/ready`));
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(5000);
      expect(ready.body).toEqual({ message: expect.any(String) });
      const during = uniqueEmail('during');
      const register = await timed(() =>
        fetch(`${service.url}/one_auth/api/user`, { method: 'POST', headers: json, body: JSON.stringify({ email: during }) }),
      );
      console.info(`outage: ready ${ready.status} in ${ready.ms} ms, register ${register.status} in ${register.ms} ms`);
      expect(register.status).toBe(503);
      expect(register.ms).toBeLessThan(10_000);
      expect(register.body).toEqual({ message: expect.any(String) });
      expect((await fetch(`${service.url}/one_auth/health/live`)).status).toBe(200);
    } finally {
      mariadb('start-server', MARIADB_DIR!, MARIADB_PORT!);
    }

    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(`${service.url}/one_auth/health/ready`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
    const after = uniqueEmail('after');
    let registered = 0;
    for (let attempt = 0; attempt < 10 && registered !== 201; attempt++) {
      // Pooled connections broken by the restart are dropped on first use.
      registered = (
        await fetch(`${service.url}/one_auth/api/user`, { method: 'POST', headers: json, body: JSON.stringify({ email: after }) })
      ).status;
    }
    expect(registered).toBe(201);
    await smtp.waitForCode(after);
    await smtp.waitForCode(before);
  }, 90_000);
});
