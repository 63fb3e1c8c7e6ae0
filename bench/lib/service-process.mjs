// The built service as a child process, as it runs in production, and what
// the benchmark reads of its processes (port, resident memory).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

// As the Dockerfile and npm start run the service (and L2, to compare like with like):
// two glibc arenas, and libuv's thread pool sized to the cores unless set.
export const RUNTIME_TUNING = {
  MALLOC_ARENA_MAX: '2',
  UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(availableParallelism()),
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Whatever happens, no process the benchmark started outlives it.
const children = new Set();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
process.on('uncaughtException', (error) => {
  console.error(error);
  process.exit(1);
});

/** Kills `child` when the benchmark ends, however it ends. */
export function killOnExit(child) {
  children.add(child);
  return child;
}

/** Resident memory of a process, in MB; NaN once it is gone. */
export function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The built service (dist/main.js) on a fresh data folder, or with `twinOf`
 * a second process on the same database (and data folder) as another. With
 * `checkout`, another checkout's build (its dist/main.js, run from there so
 * that it loads its own node_modules), to compare two builds. Its stdout
 * (JSON log lines) goes to a file, as under a supervisor; stderr to ours.
 * Answers once /health/ready does.
 */
export async function startService({ smtpUrl, databaseUrl, logLevel = 'info', twinOf, checkout }) {
  const dataDir = twinOf?.dataDir ?? mkdtempSync(join(tmpdir(), 'one_auth-bench-'));
  const port = await freePort();
  const database = twinOf?.databaseUrl ?? databaseUrl ?? `sqlite:${join(dataDir, 'one_auth.sqlite')}`;
  const logFile = join(dataDir, `service-${port}.log`);
  // What the operator's commands (dist/cli.js) need to act on this service's data.
  const shared = { SECRET: twinOf?.env.SECRET ?? randomBytes(32).toString('hex'), DATA_DIR: dataDir, DATABASE_URL: database };
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: checkout,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ...RUNTIME_TUNING,
      ...shared,
      PORT: String(port),
      HOST: '127.0.0.1',
      // The OpenID Provider's issuer: where the benchmark reaches it.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: logLevel,
      LOG_FORMAT: 'json',
      // One client address sends everything here: per-address allowances out of the way.
      LIMIT_CODE_MAILS_PER_ADDRESS: '1000000000/1h',
      LIMIT_LOGIN_FAILURES_PER_ADDRESS: '1000000000/15m',
    },
    stdio: ['ignore', openSync(logFile, 'w'), 'inherit'],
  });
  killOnExit(child);
  const url = `http://127.0.0.1:${port}/one_auth`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not yet listening
    }
    await sleep(10);
  }
  const startupMs = performance.now() - started;
  return {
    url,
    pid: child.pid,
    dataDir,
    databaseUrl: database,
    env: shared,
    startupMs,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      if (!twinOf) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
