import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { SmtpSink } from './smtp-sink.js';

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  /** Sends a signal and resolves with the exit code (or rejects after the timeout). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * The built service (`node dist/main.js`) as its own process, the way the
 * container runs it: migrations at start, then ready.
 */
export async function startServiceProcess(
  env: Record<string, string>,
  readyTimeoutMs = 20_000,
  fixedPort?: number,
): Promise<ServiceProcess> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      // Every suite's requests come from 127.0.0.1, and on MariaDB the suites of a run share one database and so the
      // per-address buckets: as in test-app.ts, only the limits per account and per email are left to what a suite tests.
      LIMIT_LOGIN_FAILURES_PER_ADDRESS: '100000/15m',
      LIMIT_CODE_MAILS_PER_ADDRESS: '100000/1h',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}: ${output.join('')}`);
    try {
      if ((await fetch(`${url}/one_auth/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service not ready within ${readyTimeoutMs} ms: ${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}

export function basicHeader(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}

/**
 * What instances sharing one database have alike: the data directory, the
 * database (DATABASE_URL, else a SQLite file in the directory), the SMTP
 * server and SECRET (codes are HMACs keyed by it, so all must share it).
 */
export function sharedInstanceEnv(dataDir: string, smtpUrl: string) {
  return {
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${join(dataDir, 'one_auth.sqlite')}`,
    SMTP_URL: smtpUrl,
    SECRET: 'a shared secret of at least thirty-two characters',
  };
}

/** Registers an account through a service process and sets its password with the mailed code: its first token. */
export async function activateThrough(via: ServiceProcess, smtp: SmtpSink, email: string, password: string): Promise<string> {
  const json = { 'Content-Type': 'application/json' };
  await fetch(`${via.url}/one_auth/api/user`, { method: 'POST', headers: json, body: JSON.stringify({ email }) });
  const code = await smtp.waitForCode(email);
  const response = await fetch(`${via.url}/one_auth/api/user`, {
    method: 'PUT',
    headers: json,
    body: JSON.stringify({ email, validation_code: code, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}
