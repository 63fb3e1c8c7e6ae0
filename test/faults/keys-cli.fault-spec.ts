import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, sharedInstanceEnv, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * `node dist/cli.js keys …`, as an operator runs it in the image, against
 * the database of a running service: a key made by the CLI works at once,
 * and one revoked by the CLI is refused by the running service at once.
 */
describe('the keys CLI (node dist/cli.js)', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let env: Record<string, string>;
  let service: ServiceProcess;

  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['dist/cli.js', 'keys', ...args], {
      env: { ...process.env, NODE_ENV: 'test', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-keys-'));
    env = sharedInstanceEnv(dataDir, smtp.url);
  });

  afterAll(async () => {
    await service?.stop();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates an empty database and makes a key, printed once on stdout', async () => {
    const name = `desk-${Date.now().toString(36)}`;
    const created = cli('create', name, '--scopes', 'users:read,users:write');
    expect(created.status, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^oak_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain(name);
    expect(created.stderr).not.toContain(key);

    service = await startServiceProcess(env);
    const users = () => fetch(`${service.url}/one_auth/admin/api/users`, { headers: { Authorization: `Bearer ${key}` } });
    expect((await users()).status).toBe(200);

    const listed = cli('list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`${name}\tusers:read,users:write\t`);
    expect(listed.stdout).not.toContain(key);

    expect(cli('revoke', name).status).toBe(0);
    expect((await users()).status).toBe(401);
    expect(cli('revoke', name).status).toBe(1);
    expect(cli('create', name, '--scopes', 'users:read').status).toBe(1);
    expect(cli('create', 'other').status).toBe(2);
    expect(cli().status).toBe(2);
  });
});
