import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../helpers/service-process.js';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

/** A webhook setting that cannot work stops `node dist/main.js` before it listens, naming the variable. */
describe('webhook configuration at start-up', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-webhook-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['WEBHOOK_URL', { WEBHOOK_URL: 'ftp://hooks.example/x', WEBHOOK_SECRET: SECRET }],
    ['WEBHOOK_SECRET', { WEBHOOK_URL: 'https://hooks.example/x' }],
  ])('exits 1 with a message naming %s', async (name, env) => {
    const start = startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${join(dataDir, 'db.sqlite')}`, ...env });
    await expect(start).rejects.toThrow(new RegExp(`service exited with 1: one_auth failed to start: ${name} `));
  });
});
