import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { deliveriesOf, userId } from './helpers/webhook-rows.js';

const TOKENS = '/one_auth/api/access_tokens';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhooks from two instances sharing one database', () => {
  const receiver = new WebhookReceiver(SECRET);
  const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-webhooks-'));
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    await receiver.start();
    const env = {
      DATA_DIR: dataDir,
      SECRET: randomBytes(32).toString('hex'),
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_MAX_RETRY_INTERVAL: '1s',
    };
    a = await startTestApp(env);
    b = await startTestApp(env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends each event once, in order per account, though both workers poll the same rows', async () => {
    // A slow endpoint keeps rows in flight while the other instance polls.
    receiver.delayMs = 300;
    const users: number[] = [];
    for (let n = 0; n < 4; n++) {
      const user = await createActiveUser(n % 2 === 0 ? a : b);
      const login = await (n % 2 === 0 ? b : a).http.get(TOKENS).auth(user.email, user.password).expect(200);
      await a.http.delete(TOKENS).auth(user.email, user.token).expect(200);
      await b.http
        .delete(`${TOKENS}?scope=all`)
        .auth(user.email, login.body.access_token as string)
        .expect(200);
      users.push(await userId(a, user.email));
    }
    await receiver.waitFor(() => users.every((id) => receiver.eventsOf(id).length >= 3), 30_000);
    // Time for a second send of anything, had two workers claimed one row.
    await sleep(2_500);
    for (const id of users) {
      const hooks = receiver.eventsOf(id);
      expect(hooks.map((hook) => [hook.body.type, hook.body.data.scope])).toEqual([
        ['user.activated', undefined],
        ['session.revoked', 'one'],
        ['session.revoked', 'all'],
      ]);
      expect(new Set(hooks.map((hook) => hook.id)).size).toBe(3);
    }
  }, 60_000);
});

describe('webhooks past the retry period', () => {
  const receiver = new WebhookReceiver(SECRET);
  let t: TestApp;
  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_MAX_RETRY_INTERVAL: '1s',
      WEBHOOK_RETRY_FOR: '2s',
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('gives an event up with its last error, and the account’s next event goes out', async () => {
    receiver.failWith = 500;
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    await t.http.delete(TOKENS).auth(user.email, user.token).expect(200);
    await expect.poll(async () => (await deliveriesOf(t, id))[0]?.status, { timeout: 15_000, interval: 200 }).toBe('failed');
    const [activation] = await deliveriesOf(t, id);
    expect(activation).toMatchObject({ event_type: 'user.activated', payload: '' });
    expect(activation.attempts).toBeGreaterThanOrEqual(2);
    const [row] = (await t.dataSource.query('SELECT last_error FROM webhook_deliveries WHERE message_id = ?', [activation.message_id])) as {
      last_error: string;
    }[];
    expect(row.last_error).toBe('endpoint answered 500');
    expect(receiver.refusedIds.filter((refused) => refused === activation.message_id).length).toBe(activation.attempts);

    receiver.failWith = null;
    await receiver.waitFor(() => receiver.eventsOf(id).length === 1);
    expect(receiver.eventsOf(id).map((hook) => [hook.body.type, hook.body.data.scope])).toEqual([['session.revoked', 'one']]);
  }, 30_000);
});
