// node bench/token-check-answers.mjs DIST [LOG_LEVEL] > answers.json
//
// Every answer of the token check to the matrix of bench/token-check-matrix.mjs,
// with its status, headers (but Date, Keep-Alive and generated request ids)
// and body, then the metrics series and the request lines they left. Run it
// on two builds (DIST: a directory holding main.js, inside a checkout with
// its node_modules) and diff the outputs: a change of how the token check
// is served must leave them identical.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  comparableLine,
  matrixAccounts,
  matrixRequests,
  requestCounts,
  seedMatrixAccounts,
  sendMatrixRequest,
} from './token-check-matrix.mjs';

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
const accounts = matrixAccounts();
const db = new Database(join(dataDir, 'one_auth.sqlite'));
await seedMatrixAccounts((sql, params) => db.prepare(sql).run(...params), accounts);
db.close();
const out = [];
for (const request of matrixRequests(accounts)) out.push(await sendMatrixRequest(base, request));
const metrics = await (await fetch(`${base}/one_auth/metrics`, { headers: { authorization: 'Bearer metrics-token-123456789' } })).text();
out.push({ metrics: requestCounts(metrics) });
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
const log = readFileSync(join(dataDir, 'service.log'), 'utf8')
  .split('\n')
  .filter((l) => l.includes('"reqId"'))
  .map(comparableLine);
out.push({ log });
console.log(JSON.stringify(out, null, 1));
