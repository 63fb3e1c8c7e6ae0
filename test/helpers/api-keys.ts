import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { runKeysCommand } from '../../src/api-keys/keys-command.js';
import { noteSecret } from './secrets.js';
import type { TestApp } from './test-app.js';

/** A key name no other test (or earlier run on the same database) uses. */
export function uniqueKeyName(label = 'key'): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/** Runs `keys …` as the CLI does, on an app's own key service: its exit status and what it wrote. */
export async function keysCommand(app: INestApplication, args: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runKeysCommand(args, app.get(ApiKeysService), { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { status, out, err };
}

/** `keys create NAME --scopes …`: the key it printed (noted as a secret for the log search). */
export async function createKey(app: INestApplication, scopes: string, name = uniqueKeyName()): Promise<{ name: string; key: string }> {
  const { status, out, err } = await keysCommand(app, ['create', name, '--scopes', scopes]);
  if (status !== 0) throw new Error(`keys create failed: ${err.join('\n')}`);
  noteSecret(out[0]);
  return { name, key: out[0] };
}

/** An operator disables an account through the admin API (34), with a key made for it. */
export async function disableAccount(t: TestApp, email: string): Promise<void> {
  const { key } = await createKey(t.app, 'users:write');
  const [{ id }] = (await t.dataSource.query('SELECT id FROM users WHERE email = ?', [email])) as { id: number }[];
  await t.http.put(`/one_auth/admin/api/users/${id}/status`).set('Authorization', `Bearer ${key}`).send({ status: 'disabled' }).expect(200);
}
