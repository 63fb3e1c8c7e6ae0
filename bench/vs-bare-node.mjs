// npm run build && node bench/vs-bare-node.mjs [--dist DIR] [--rounds N] [--seconds S]
//
// The token check against a bare node:http server that answers the same JSON
// on the same Node binary, with wrk (-t1 -c50, one token), in turns: the
// service for S seconds, then the bare server, N rounds, at LOG_LEVEL=info
// and warn. Prints req/s, the ratio to the bare server
// (median of the rounds) and p99. Needs wrk (Debian: apt-get install wrk).
//
// --dist runs another build (a directory holding main.js, inside a checkout
// with its node_modules), e.g. an older commit's, to compare builds the same
// way on the same machine.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import Database from 'better-sqlite3';

const { values: flags } = parseArgs({
  options: { dist: { type: 'string', default: 'dist' }, rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' } },
});
const DIST = resolve(flags.dist);
const ROUNDS = Number(flags.rounds);
const SECONDS = Number(flags.seconds);
const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const { createServer: net } = await import('node:net');
  const server = net().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function startService(logLevel) {
  const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-vs-bare-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(DIST, 'main.js')], {
    cwd: dirname(DIST),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      MALLOC_ARENA_MAX: '2',
      SECRET: randomBytes(32).toString('hex'),
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'one_auth.sqlite')}`,
      LOG_LEVEL: logLevel,
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', openSync(join(dataDir, 'service.log'), 'w'), 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/one_auth`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  // One active account with one token, straight into the database.
  const token = randomBytes(32).toString('base64url');
  const email = 'bare-node@example.com';
  const db = new Database(join(dataDir, 'one_auth.sqlite'));
  db.pragma('busy_timeout = 5000');
  const now = Date.now();
  const { lastInsertRowid } = db
    .prepare("INSERT INTO users (email, status, password_hash, created_at, updated_at) VALUES (?, 'active', 'x', ?, ?)")
    .run(email, now, now);
  db.prepare('INSERT INTO access_tokens (user_id, token_hash, public_id, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    lastInsertRowid,
    createHash('sha256').update(token).digest('hex'),
    randomBytes(16).toString('hex'),
    now,
    now + 86_400_000,
    now,
  );
  db.close();
  const authorization = `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
  const body = await (await fetch(`${url}/api/validations`, { headers: { authorization } })).text();
  return {
    url: `${url}/api/validations`,
    authorization,
    body,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startBare(body) {
  const port = await freePort();
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/`, stop: () => new Promise((r) => server.close(r)) };
}

async function wrk(url, authorization) {
  const args = ['-t1', '-c50', `-d${SECONDS}s`, '--latency'];
  if (authorization) args.push('-H', `Authorization: ${authorization}`);
  const { stdout } = await run('wrk', [...args, url]);
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]);
  const [, value, unit] = /99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const p99 = Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  return { rate, p99, non2xx };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = [['LOG_LEVEL', 'token check req/s', '/ bare node', 'p99 ms', 'bare node req/s']];
for (const logLevel of ['info', 'warn']) {
  const service = await startService(logLevel);
  const bare = await startBare(service.body);
  await wrk(service.url, service.authorization);
  await wrk(bare.url);
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const s1 = await wrk(service.url, service.authorization);
    const floor = await wrk(bare.url);
    if (s1.non2xx > 0) throw new Error(`${logLevel}: ${s1.non2xx} answers were not 200`);
    rounds.push({ s1, floor });
  }
  await bare.stop();
  await service.stop();
  rows.push([
    logLevel,
    median(rounds.map((r) => r.s1.rate)).toFixed(0),
    median(rounds.map((r) => r.s1.rate / r.floor.rate)).toFixed(3),
    median(rounds.map((r) => r.s1.p99)).toFixed(0),
    median(rounds.map((r) => r.floor.rate)).toFixed(0),
  ]);
}
console.log(`${DIST}, node ${process.version}, wrk -t1 -c50, ${ROUNDS} rounds of ${SECONDS} s each side (medians)`);
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
for (const row of rows) console.log(row.map((cell, i) => (i < 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
