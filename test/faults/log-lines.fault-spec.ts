import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ServiceProcess, sharedInstanceEnv, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/** Health checks over 20 keep-alive connections until the service stops answering; the X-Request-Id of each answer. */
async function loadUntilGone(url: string): Promise<string[]> {
  const answered: string[] = [];
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      for (;;) {
        try {
          const response = await fetch(`${url}/one_auth/health/live`, { signal: AbortSignal.timeout(10_000) });
          await response.arrayBuffer();
          answered.push(response.headers.get('x-request-id')!);
        } catch {
          return; // refused or cut: the process is gone
        }
      }
    }),
  );
  return answered;
}

/** Its stdout as JSON records, complete once the process's pipes have closed. */
function recordsOf(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Request lines are buffered and written asynchronously (src/logging/
 * log-destination.ts). Whatever ends the process, the lines of the requests
 * it answered are written out before it exits.
 */
describe('request lines when the process ends under load', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let service: ServiceProcess;
  let stdout: string;

  const start = async (extra: Record<string, string> = {}) => {
    service = await startServiceProcess({ ...sharedInstanceEnv(dataDir, smtp.url), LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...extra });
    stdout = service.output.join('');
    service.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  };
  const exit = async () => {
    const [code] = (await once(service.child, 'exit')) as [number | null];
    if (service.child.stdout!.readable) await once(service.child.stdout!, 'close');
    return code;
  };

  beforeEach(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-log-lines-'));
  });
  afterEach(async () => {
    await service?.stop('SIGKILL');
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM: every answered request has its line, and the process exits 0', async () => {
    await start();
    const load = loadUntilGone(service.url);
    await new Promise((resolve) => setTimeout(resolve, 500));
    service.child.kill('SIGTERM');
    const [answered, code] = await Promise.all([load, exit()]);
    expect(code).toBe(0);
    expect(answered.length).toBeGreaterThan(0);
    const logged = new Set(recordsOf(stdout).map((record) => record.reqId));
    expect(answered.filter((id) => !logged.has(id))).toEqual([]);
  });

  it('a fatal error: the lines before it are written, then its own, and the process exits 1', async () => {
    // A fault planted in the process: an exception thrown outside any request, on SIGUSR2.
    const fault = `process.on('SIGUSR2', () => { throw new Error('planted fault'); });`;
    await start({ NODE_OPTIONS: `--import=data:text/javascript;base64,${Buffer.from(fault).toString('base64')}` });
    const load = loadUntilGone(service.url);
    await new Promise((resolve) => setTimeout(resolve, 500));
    service.child.kill('SIGUSR2');
    const [answered, code] = await Promise.all([load, exit()]);
    expect(code).toBe(1);
    expect(answered.length).toBeGreaterThan(0);
    const records = recordsOf(stdout);
    const logged = new Set(records.map((record) => record.reqId));
    expect(answered.filter((id) => !logged.has(id))).toEqual([]);
    const fatal = records.find((record) => record.level === 'fatal');
    // Its name and message only: no stack trace in a log line.
    expect(fatal).toMatchObject({ msg: 'fatal: Error: planted fault' });
    expect(Object.keys(fatal!).sort()).toEqual(['context', 'hostname', 'level', 'msg', 'pid', 'time']);
  });
});
