import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDeliveryWorker } from '../src/webhooks/webhook-delivery.worker.js';
import { createActiveUser, forgetLastCodeTime, startTestApp, type TestApp } from './helpers/test-app.js';
import { type ReceivedWebhook, verifySignature, WebhookReceiver } from './helpers/webhook-receiver.js';
import { deliveriesOf, userId } from './helpers/webhook-rows.js';

const TOKENS = '/one_auth/api/access_tokens';
const USER = '/one_auth/api/user';
const CODE = '/one_auth/api/validation_code';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const types = (hooks: ReceivedWebhook[]): string[] => hooks.map((hook) => hook.body.type);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhooks', () => {
  const primary = new WebhookReceiver(SECRET);
  const secondary = new WebhookReceiver(SECRET);
  let t: TestApp;

  beforeAll(async () => {
    await primary.start();
    await secondary.start();
    t = await startTestApp({
      WEBHOOK_URL: `${primary.url}, ${secondary.url}`,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_MAX_RETRY_INTERVAL: '1s',
    });
  });
  afterAll(async () => {
    await t.close();
    await primary.stop();
    await secondary.stop();
  });

  it('announces an activation with a body and headers that verify against the secret', async () => {
    const before = Date.now();
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    await primary.waitFor(() => primary.eventsOf(id).length === 1);
    const [hook] = primary.eventsOf(id);
    expect(hook.body).toEqual({ type: 'user.activated', timestamp: expect.any(String), data: { user_id: id, email: user.email } });
    expect(Date.parse(hook.body.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(hook.body.timestamp)).toBeLessThanOrEqual(Date.now());
    expect(hook.id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(Math.abs(hook.timestamp * 1000 - Date.now())).toBeLessThan(10_000);
    expect(hook.verified).toBe(true);
    expect(hook.signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    // The package's own check agrees, and neither accepts another secret.
    const headers = { 'webhook-id': hook.id, 'webhook-timestamp': String(hook.timestamp), 'webhook-signature': hook.signature };
    expect(new Webhook(SECRET).verify(hook.raw, headers)).toEqual(hook.body);
    const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
    expect(verifySignature(otherSecret, hook.id, String(hook.timestamp), hook.raw, hook.signature)).toBe(false);
    expect(() => new Webhook(otherSecret).verify(hook.raw, headers)).toThrow();
    expect(hook.raw).not.toContain(user.token);
    expect(hook.raw).not.toContain(user.password);
  });

  it('sends every event to every endpoint under one id, and empties the stored body once delivered', async () => {
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    await primary.waitFor(() => primary.eventsOf(id).length === 1);
    await secondary.waitFor(() => secondary.eventsOf(id).length === 1);
    expect(secondary.eventsOf(id)[0].id).toBe(primary.eventsOf(id)[0].id);
    expect(secondary.eventsOf(id)[0].verified).toBe(true);
    await expect.poll(() => deliveriesOf(t, id)).toHaveLength(2);
    await expect
      .poll(async () => (await deliveriesOf(t, id)).map((row) => [row.status, row.payload]))
      .toEqual([
        ['delivered', ''],
        ['delivered', ''],
      ]);
  });

  it('announces logout of one session and of all, and a password reset, in the order they happened', async () => {
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    const second = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
    await t.http.delete(TOKENS).auth(user.email, user.token).expect(200);
    await t.http.delete(`${TOKENS}?scope=all`).auth(user.email, second).expect(200);
    await forgetLastCodeTime(t, user.email);
    await t.http.post(CODE).send({ email: user.email }).expect(202);
    const code = await t.smtp.waitForCode(user.email, 2);
    const reset = await t.http.put(USER).send({ email: user.email, validation_code: code, password: 'another fine passphrase' });
    expect(reset.status).toBe(200);
    await primary.waitFor(() => primary.eventsOf(id).length === 4);
    const hooks = primary.eventsOf(id);
    expect(hooks.map((hook) => [hook.body.type, hook.body.data])).toEqual([
      ['user.activated', { user_id: id, email: user.email }],
      ['session.revoked', { user_id: id, scope: 'one', session_id: expect.stringMatching(/^[0-9a-f]{32}$/) }],
      ['session.revoked', { user_id: id, scope: 'all' }],
      ['user.password_changed', { user_id: id, email: user.email }],
    ]);
    expect(hooks.every((hook) => hook.verified)).toBe(true);
    for (const secret of [user.token, second, code, 'another fine passphrase']) {
      expect(hooks.some((hook) => hook.raw.includes(secret))).toBe(false);
    }
  });

  it('holds an account’s later events until its earlier one is delivered, and retries under the same id', async () => {
    primary.failNext = 1;
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    const second = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
    await t.http.delete(TOKENS).auth(user.email, user.token).expect(200);
    await t.http.delete(`${TOKENS}?scope=all`).auth(user.email, second).expect(200);
    await primary.waitFor(() => primary.eventsOf(id).length === 3);
    const hooks = primary.eventsOf(id);
    expect(types(hooks)).toEqual(['user.activated', 'session.revoked', 'session.revoked']);
    expect(hooks.map((hook) => hook.body.data.scope)).toEqual([undefined, 'one', 'all']);
    // The refused first try and the delivery that followed carry one id.
    expect(primary.refusedIds).toContain(hooks[0].id);
    const rows = await deliveriesOf(t, id);
    const activation = rows.find((row) => row.endpoint === primary.url && row.event_type === 'user.activated')!;
    expect(activation).toMatchObject({ message_id: hooks[0].id, status: 'delivered', attempts: 2 });
    // The other endpoint was not held back by this one's failure.
    await secondary.waitFor(() => secondary.eventsOf(id).length === 3);
    expect(types(secondary.eventsOf(id))).toEqual(['user.activated', 'session.revoked', 'session.revoked']);
  });

  it('delivers everything queued while an endpoint was down for 10 s, once it is back, ids unchanged', async () => {
    await primary.stop();
    const downSince = Date.now();
    const users: number[] = [];
    for (let n = 0; n < 3; n++) {
      const user = await createActiveUser(t);
      await t.http.delete(TOKENS).auth(user.email, user.token).expect(200);
      users.push(await userId(t, user.email));
    }
    // Meanwhile the endpoint that is up has had them all.
    await secondary.waitFor(() => users.every((id) => secondary.eventsOf(id).length === 2));
    await sleep(Math.max(0, 10_000 - (Date.now() - downSince)));
    for (const id of users) {
      const pending = (await deliveriesOf(t, id)).filter((row) => row.endpoint === primary.url);
      expect(pending.map((row) => row.status)).toEqual(['pending', 'pending']);
      expect(pending[0].attempts).toBeGreaterThanOrEqual(3);
      // The later event waits behind the earlier one: not even tried.
      expect(pending[1].attempts).toBe(0);
    }
    expect(users.flatMap((id) => primary.eventsOf(id))).toEqual([]);

    await primary.start();
    await primary.waitFor(() => users.every((id) => primary.eventsOf(id).length >= 2));
    for (const id of users) {
      const hooks = primary.eventsOf(id);
      expect(types(hooks)).toEqual(['user.activated', 'session.revoked']);
      expect(hooks.every((hook) => hook.verified)).toBe(true);
      const primaryRows = async () => (await deliveriesOf(t, id)).filter((row) => row.endpoint === primary.url);
      // The answer reaches the receiver a moment before the worker records it.
      await expect.poll(async () => (await primaryRows()).map((row) => row.status)).toEqual(['delivered', 'delivered']);
      const rows = await primaryRows();
      expect(rows[0].attempts).toBeGreaterThan(3);
      expect(rows[1].attempts).toBe(1);
      // The id stored when the event was queued is the one that arrived, and the other endpoint saw the same.
      expect(hooks.map((hook) => hook.id)).toEqual(rows.map((row) => row.message_id));
      expect(secondary.eventsOf(id).map((hook) => hook.id)).toEqual(rows.map((row) => row.message_id));
    }
  }, 60_000);
});

describe('webhooks when WEBHOOK_URL is unset', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('queues nothing', async () => {
    const user = await createActiveUser(t);
    await t.http.delete(`${TOKENS}?scope=all`).auth(user.email, user.token).expect(200);
    expect(await deliveriesOf(t, await userId(t, user.email))).toEqual([]);
  });

  it('gives up, past the retry period, what was queued for endpoints no longer configured, and drops its body', async () => {
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    const now = Date.now();
    const insert = `INSERT INTO webhook_deliveries (message_id, endpoint, user_id, event_type, payload, status, attempts, next_attempt_at, created_at)
      VALUES (?, 'https://gone.example/hooks', ?, 'user.activated', ?, 'pending', 0, ?, ?)`;
    const body = JSON.stringify({ type: 'user.activated', data: { user_id: id, email: user.email } });
    await t.dataSource.query(insert, ['msg_old', id, body, now, now - 25 * 3_600_000]);
    await t.dataSource.query(insert, ['msg_recent', id, body, now, now - 60_000]);
    await t.app.get(WebhookDeliveryWorker).abandonUnconfigured();
    const rows = await deliveriesOf(t, id);
    expect(rows.map((row) => [row.message_id, row.status, row.payload === ''])).toEqual([
      ['msg_old', 'failed', true],
      ['msg_recent', 'pending', false],
    ]);
  });
});
