import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, sharedInstanceEnv, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { UpstreamProvider } from '../helpers/upstream-provider.js';

const RETURN_TO = 'https://app.one-auth.test/signed-in';

/**
 * `node dist/cli.js providers …`, as an operator runs it in the image,
 * against the database of a running service: a provider added by the CLI
 * (its secret on standard input) is offered at once, and one removed is
 * gone at once.
 */
describe('the providers CLI (node dist/cli.js)', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let env: Record<string, string>;
  let service: ServiceProcess;
  let upstream: UpstreamProvider;
  const id = `google-${randomUUID().slice(0, 6)}`;

  const cli = (args: string[], input = '') => {
    const result = spawnSync(process.execPath, ['dist/cli.js', 'providers', ...args], {
      env: { ...process.env, NODE_ENV: 'test', ...env },
      encoding: 'utf8',
      input,
      timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-providers-'));
    env = { ...sharedInstanceEnv(dataDir, smtp.url), SOCIAL_RETURN_URLS: RETURN_TO };
    service = await startServiceProcess(env);
    upstream = await UpstreamProvider.start([`${service.url}/one_auth/api/sign_in/${id}/callback`]);
  });

  afterAll(async () => {
    await service?.stop();
    await upstream?.stop();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds a provider with its secret on standard input, lists it without the secret, and removes it', async () => {
    const added = cli(
      ['add', id, '--issuer', upstream.issuer, '--client-id', upstream.client.clientId, '--client-secret', '-', '--trust-email'],
      `${upstream.client.clientSecret}\n`,
    );
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toBe('');
    expect(added.stderr).not.toContain(upstream.client.clientSecret);

    const providers = async () => (await (await fetch(`${service.url}/one_auth/api/providers`)).json()) as { providers: { id: string }[] };
    expect((await providers()).providers.map((provider) => provider.id)).toContain(id);
    const start = await fetch(`${service.url}/one_auth/api/sign_in/${id}?return_to=${encodeURIComponent(RETURN_TO)}`, {
      redirect: 'manual',
    });
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toContain(`${upstream.issuer}/auth?`);

    const listed = cli(['list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`${id}\toidc\t`);
    expect(listed.stdout).not.toContain(upstream.client.clientSecret);

    expect(cli(['remove', id]).status).toBe(0);
    expect((await providers()).providers.map((provider) => provider.id)).not.toContain(id);
    expect(cli(['remove', id]).status).toBe(1);
    expect(cli([]).status).toBe(2);
  });
});
