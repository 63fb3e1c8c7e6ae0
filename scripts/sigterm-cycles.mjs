// node scripts/sigterm-cycles.mjs [CYCLES]   (npm run test:sigterm -- 50)
//
// Starts the built service (dist/main.js, as the Dockerfile runs it) on a fresh
// SQLite database with one JSON log line per request (LOG_LEVEL=info), waits
// until it is ready, registers an account through the API (code read from the
// mail file), checks its token, then puts it under load (token checks and
// health checks over 20 connections) and sends SIGTERM in the middle of it.
// A cycle passes when the process exits 0 within 15 s, every request that got
// an answer has its log line (matched by X-Request-Id: log lines are buffered
// and written asynchronously, so the last ones must be written out before
// the exit), and its output holds no native assertion: a native addon freed
// at shutdown on the wrong Node ABI aborts the process with "Assertion
// failed" after the last answer was sent. Runs on the Node that runs this script.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cycles = Number(process.argv[2] ?? 10);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const LOAD_CONNECTIONS = 20;
const LOAD_BEFORE_SIGTERM_MS = 500;

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function call(url, { method = 'GET', body, auth } = {}) {
  const headers = {};
  if (body) headers['content-type'] = 'application/json';
  if (auth) headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  const response = await fetch(url, { method, headers, body: body && JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: await response.text() };
}

function expectStatus(what, response, status) {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${response.body.slice(0, 200)} (expected ${status})`);
}

function newestCode(mailDir) {
  // The folder appears with the first mail.
  const files = (existsSync(mailDir) ? readdirSync(mailDir) : [])
    .filter((name) => name.endsWith('.eml'))
    .map((name) => join(mailDir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const match = files.length ? /validation code is (\d{6})/.exec(readFileSync(files[0], 'utf8')) : null;
  return match?.[1];
}

async function cycle() {
  const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-sigterm-'));
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
  // The database and mail go to DATA_DIR, whatever the caller's environment says.
  delete env.DATABASE_URL;
  delete env.SMTP_URL;
  const child = spawn(process.execPath, ['dist/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const closed = new Promise((resolve) => child.once('close', resolve));
  let load;
  const base = `http://127.0.0.1:${port}/one_auth`;
  try {
    // On a shared machine another process may hold the port for a moment:
    // only this process's own "listening" line says the answers come from it.
    for (let waited = 0; !output.includes(`listening on http://127.0.0.1:${port}/`); waited += 100) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready`);
      if (waited > 60_000) throw new Error('not listening after 60 s');
      await sleep(100);
    }
    expectStatus('GET /health/ready', await call(`${base}/health/ready`), 200);
    const email = `cycle-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'correct horse battery staple';
    expectStatus('POST /user', await call(`${base}/api/user`, { method: 'POST', body: { email } }), 201);
    let code;
    for (let waited = 0; !code && waited < 20_000; waited += 100) {
      await sleep(100);
      code = newestCode(join(dataDir, 'mail'));
    }
    if (!code) throw new Error('no code mailed within 20 s');
    const activated = await call(`${base}/api/user`, { method: 'PUT', body: { email, validation_code: code, password } });
    expectStatus('PUT /user', activated, 200);
    const token = JSON.parse(activated.body).access_token;
    expectStatus('GET /validations', await call(`${base}/api/validations`, { auth: `${email}:${token}` }), 200);
    expectStatus('GET /validations, wrong token', await call(`${base}/api/validations`, { auth: `${email}:nope` }), 401);
    load = startLoad(base, `${email}:${token}`);
    await sleep(LOAD_BEFORE_SIGTERM_MS);
  } catch (error) {
    load?.stop();
    child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
    return { ok: false, reason: `${error.message}${error.cause ? ` (${error.cause.code ?? error.cause.message})` : ''}`, output };
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  // Every byte it wrote is read once its output pipes have closed.
  await closed;
  const answered = await load.finished;
  rmSync(dataDir, { recursive: true, force: true });
  if (signal) return { ok: false, reason: `ended by ${signal}`, output };
  if (code !== 0) return { ok: false, reason: `exit code ${code}`, output };
  if (/Assertion failed/.test(output)) return { ok: false, reason: 'exit code 0 but "Assertion failed" in its output', output };
  const logged = loggedRequestIds(stdout);
  const missing = answered.filter((id) => !logged.has(id));
  const counts = `${answered.length} answered under load, ${logged.size} request lines`;
  if (answered.length === 0) return { ok: false, reason: `no request answered under load`, output };
  if (missing.length > 0) return { ok: false, reason: `${missing.length} answered requests without a log line (${counts})`, output };
  return { ok: true, counts };
}

/**
 * Token checks and health checks back to back over LOAD_CONNECTIONS
 * keep-alive connections until the service stops answering; `stop()` ends it
 * early. `finished` resolves with the X-Request-Id of every answer received.
 */
function startLoad(base, auth) {
  const answered = [];
  let stopped = false;
  const worker = async (n) => {
    const url = n % 2 ? `${base}/health/live` : `${base}/api/validations`;
    const headers = n % 2 ? {} : { authorization: `Basic ${Buffer.from(auth).toString('base64')}` };
    while (!stopped) {
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        answered.push(response.headers.get('x-request-id'));
      } catch {
        return; // refused or cut: the service has stopped listening
      }
    }
  };
  const finished = Promise.all(Array.from({ length: LOAD_CONNECTIONS }, (_, n) => worker(n))).then(() => answered);
  return {
    finished,
    stop() {
      stopped = true;
    },
  };
}

/** The request ids of the request lines ("request completed" or "request failed") in the service's stdout. */
function loggedRequestIds(output) {
  const ids = new Set();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line);
    if (record.msg === 'request completed' || record.msg === 'request failed') ids.add(record.reqId);
  }
  return ids;
}

console.log(`node ${process.version}: ${cycles} start/serve/SIGTERM cycles of dist/main.js`);
let passed = 0;
for (let i = 1; i <= cycles; i++) {
  const started = performance.now();
  const result = await cycle();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.ok) {
    passed++;
    console.log(`cycle ${i}: exit 0, clean, ${result.counts}, none missing (${seconds} s)`);
  } else {
    console.log(`cycle ${i}: FAILED, ${result.reason} (${seconds} s)\n${result.output.split('\n').slice(-30).join('\n')}`);
  }
}
console.log(`${passed} of ${cycles} cycles clean on node ${process.version}`);
process.exit(passed === cycles ? 0 : 1);
