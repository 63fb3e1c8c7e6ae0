// The machine's limits every figure is set against, measured in the same run:
// L1, the token check on bare node:http (bench/l1-server.mjs), and L2, raw
// argon2id verifications (bench/l2-argon2.mjs). (L0, the framework's floor,
// is a route of the service itself: scenarios.mjs.)
import { fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { QUICK_LOGIN_CONNECTIONS } from './settings.mjs';
import { freePort, killOnExit, RUNTIME_TUNING, sleep } from './service-process.mjs';

/** L1 on the service's own database; answers its URL and how to stop it. */
export async function startL1(service) {
  const port = await freePort();
  const database = service.databaseUrl.startsWith('mysql://') ? service.databaseUrl : join(service.dataDir, 'one_auth.sqlite');
  const child = killOnExit(fork('bench/l1-server.mjs', [String(port), database], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await new Promise((resolve) => child.once('message', resolve));
  await sleep(500);
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

/** L2 over as many verifications in flight as S3 has logins, for the run's duration. */
export async function measureL2(settings) {
  const concurrency = settings.quick ? QUICK_LOGIN_CONNECTIONS : settings.connections;
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/l2-argon2.mjs', String(concurrency), String(settings.duration * 1000)], {
      env: { ...process.env, ...RUNTIME_TUNING },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`L2 exited ${code}`))));
  });
  return JSON.parse(out);
}
