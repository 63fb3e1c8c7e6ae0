// node bench/token-check-answers.mjs DIST [LOG_LEVEL] > answers.json
//
// Every answer of the token check to a matrix of requests (every method,
// HEAD, good and bad credentials, Bearer, an address that needs encoding,
// an expired token, bodies, a trailing slash, a query, a client's request
// id), with its status, headers (but Date, Keep-Alive and generated request
// ids) and body, then the metrics series and the request lines they left.
// Run it on two builds (DIST: a directory holding main.js, inside a checkout
// with its node_modules) and diff the outputs: a change of how the token
// check is served must leave them identical.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import Database from 'better-sqlite3';
const [dist, level = 'info'] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-answers-'));
const port = 20000 + Math.floor(Math.random() * 20000);
const child = spawn(process.execPath, [join(resolve(dist), 'main.js')], {
  env: {
    ...process.env,
    NODE_ENV: 'production',
    SECRET: 'x'.repeat(64),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:${join(dataDir, 'one_auth.sqlite')}`,
    LOG_LEVEL: level,
    LOG_FORMAT: 'json',
    METRICS_TOKEN: 'metrics-token-123456789',
  },
  stdio: ['ignore', openSync(join(dataDir, 'service.log'), 'w'), 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 400; i++) {
  if (child.exitCode !== null) throw new Error('exited');
  try {
    if ((await fetch(`${base}/one_auth/health/ready`)).ok) break;
  } catch {
    // not listening yet
  }
  await sleep(50);
}
const db = new Database(join(dataDir, 'one_auth.sqlite'));
const now = Date.now();
const token = 'T'.repeat(43),
  token2 = 'U'.repeat(43),
  token3 = 'V'.repeat(43);
const add = (email, status, tok, exp = now + 86400000) => {
  const { lastInsertRowid } = db
    .prepare('INSERT INTO users (email, status, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
    .run(email, status, 'x', now, now);
  db.prepare(
    'INSERT INTO access_tokens (user_id, token_hash, public_id, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(lastInsertRowid, createHash('sha256').update(tok).digest('hex'), randomBytes(16).toString('hex'), now, exp, now);
};
add('a@example.com', 'active', token);
add('é%ü@example.com', 'active', token2);
add('old@example.com', 'active', token3, now - 1);
db.close();
const b = (s) => 'Basic ' + Buffer.from(s).toString('base64');
function send(method, path, headers = {}, body) {
  return new Promise((res) => {
    const r = httpRequest(`${base}${path}`, { method, headers }, (response) => {
      let data = '';
      response.setEncoding('utf8');
      response.on('data', (c) => (data += c));
      response.on('end', () =>
        res({
          status: response.statusCode,
          headers: Object.fromEntries(
            Object.entries(response.headers).filter(([k]) => !['date', 'x-request-id', 'keep-alive'].includes(k)),
          ),
          rawHeaderNames: response.rawHeaders.filter((_, i) => i % 2 === 0).filter((k) => !/^(date|keep-alive)$/i.test(k)),
          body: data,
        }),
      );
    });
    r.setTimeout(3000, () => {
      r.destroy();
      res({ status: 'timeout' });
    });
    r.on('error', (e) => res({ status: 'error ' + e.code }));
    if (body) r.end(body);
    else r.end();
  });
}
const cases = [];
const P = '/one_auth/api/validations';
for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'SEARCH', 'PROPFIND']) {
  cases.push([method, P, { authorization: b(`a@example.com:${token}`) }]);
  cases.push([method, P, { authorization: b(`a@example.com:nope`) }]);
}
cases.push(['GET', P, {}]);
cases.push(['GET', P, { authorization: `Bearer ${token}` }]);
cases.push(['GET', P, { authorization: `Bearer ${token}x` }]);
cases.push(['GET', P, { authorization: `bearer ${token}` }]);
cases.push(['GET', P, { authorization: b(`A@Example.com:${token}`) }]);
cases.push(['GET', P, { authorization: b(`b@example.com:${token}`) }]);
cases.push(['GET', P, { authorization: b(`é%ü@example.com:${token2}`) }]);
cases.push(['GET', P, { authorization: b(`old@example.com:${token3}`) }]);
cases.push(['GET', P, { authorization: 'Basic !!!' }]);
cases.push(['GET', P, { authorization: 'Digest abc' }]);
cases.push(['GET', P + '/', { authorization: b(`a@example.com:${token}`) }]);
cases.push(['GET', P + '?x=1', { authorization: b(`a@example.com:${token}`) }]);
cases.push(['GET', '/one_auth/API/validations', { authorization: b(`a@example.com:${token}`) }]);
cases.push(['GET', P + '/extra', { authorization: b(`a@example.com:${token}`) }]);
cases.push(['GET', P, { authorization: b(`a@example.com:${token}`), 'x-request-id': 'client-id-1' }]);
cases.push(['POST', P, { authorization: b(`a@example.com:${token}`), 'content-type': 'text/plain', 'content-length': '5' }, 'hello']);
cases.push([
  'POST',
  P,
  { authorization: b(`a@example.com:${token}`), 'content-type': 'application/json', 'content-length': '9' },
  '{broken}x',
]);
cases.push(['PUT', P, { authorization: b(`a@example.com:nope`), 'content-type': 'application/json', 'content-length': '2' }, '{}']);
const out = [];
for (const [method, path, headers, body] of cases)
  out.push({ req: `${method} ${path} ${JSON.stringify(headers)}`, ...(await send(method, path, headers, body)) });
await send('GET', P, { authorization: b(`a@example.com:${token}`), 'x-request-id': 'client-id-2' });
const metrics = await (await fetch(`${base}/one_auth/metrics`, { headers: { authorization: 'Bearer metrics-token-123456789' } })).text();
out.push({ metrics: metrics.split('\n').filter((l) => l.startsWith('one_auth_http_request_duration_seconds_count')) });
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
const log = readFileSync(join(dataDir, 'service.log'), 'utf8')
  .split('\n')
  .filter((l) => l.includes('"reqId"'))
  .map((l) =>
    l
      .replace(/"time":"[^"]+"/, '"time":"T"')
      .replace(/"reqId":"[0-9a-f-]{36}"/, '"reqId":"R"')
      .replace(/"responseTime":\d+/, '"responseTime":0')
      .replace(/"pid":\d+/, '"pid":0'),
  );
out.push({ log });
console.log(JSON.stringify(out, null, 1));
