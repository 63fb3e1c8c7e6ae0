import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from './helpers/api-keys.js';
import { createActiveUser, PASSWORD, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';
import { type ReceivedWebhook, WebhookReceiver } from './helpers/webhook-receiver.js';
import { deliveriesOf, userId } from './helpers/webhook-rows.js';

const API = '/one_auth/api';
const USERS = '/one_auth/admin/api/users';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OPERATOR_ADDRESS = '198.51.100.34';
const OPERATOR_AGENT = 'ops-console/1.0';

const types = (hooks: ReceivedWebhook[]): string[] => hooks.map((hook) => hook.body.type);

/**
 * An operator's disable and enable (34) are told as the owner's own changes
 * are: an event in the account's log (22) and a webhook, so services that
 * cache who is signed in learn that the account is off, in order with the
 * account's other events.
 */
describe('an operator’s disable and enable are told (34)', () => {
  const receiver = new WebhookReceiver(SECRET);
  let t: TestApp;
  let writer: { name: string; key: string };

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({
      TRUST_PROXY: 'true',
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_MAX_RETRY_INTERVAL: '1s',
    });
    writer = await createKey(t.app, 'users:read,users:write');
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  const setStatus = (id: number, status: 'disabled' | 'active') =>
    t.http
      .put(`${USERS}/${id}/status`)
      .set('Authorization', `Bearer ${writer.key}`)
      .set('X-Forwarded-For', OPERATOR_ADDRESS)
      .set('User-Agent', OPERATOR_AGENT)
      .send({ status })
      .expect(200);

  const deliveryTypes = async (id: number) => (await deliveriesOf(t, id)).map((row) => row.event_type);

  it('reaches a webhook receiver once each, signed, in order with the account’s other events, and shows in 22', async () => {
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    await setStatus(id, 'disabled');
    // Written with the change: queued by the time the answer came.
    expect(await deliveryTypes(id)).toEqual(['user.activated', 'user.disabled', 'session.revoked']);
    await setStatus(id, 'active');
    const signedIn = await t.http.get(`${API}/access_tokens`).auth(user.email, PASSWORD).expect(200);
    const token = signedIn.body.access_token as string;
    await t.http
      .put(`${API}/user/password`)
      .set('Authorization', `Bearer ${token}`)
      .send({ password: PASSWORD, new_password: 'a brand new passphrase' })
      .expect(200);

    const expected = ['user.activated', 'user.disabled', 'session.revoked', 'user.enabled', 'user.password_changed'];
    await receiver.waitFor(() => receiver.eventsOf(id).length >= expected.length);
    // Time for a repeat to show up, were one sent.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const hooks = receiver.eventsOf(id);
    expect(types(hooks)).toEqual(expected);
    expect(new Set(hooks.map((hook) => hook.id)).size).toBe(hooks.length);
    for (const hook of hooks) expect(hook.verified).toBe(true);
    expect(hooks[1].body.data).toEqual({ user_id: id, email: user.email });
    expect(hooks[2].body.data).toEqual({ user_id: id, scope: 'all' });
    expect(hooks[3].body.data).toEqual({ user_id: id, email: user.email, status: 'active' });

    const events = (await t.http.get(`${API}/user/events`).set('Authorization', `Bearer ${token}`).expect(200)).body.events as {
      type: string;
      client_address: string;
      user_agent: string;
    }[];
    expect(events.map((event) => event.type).slice(0, 4)).toEqual(['password_changed', 'sign_in', 'account_enabled', 'account_disabled']);
    // Who acted, as for every event: here the operator's request.
    for (const event of events.slice(2, 4)) {
      expect(event).toMatchObject({ client_address: OPERATOR_ADDRESS, user_agent: OPERATOR_AGENT });
    }
    const operatorView = await t.http.get(`${USERS}/${id}`).set('Authorization', `Bearer ${writer.key}`).expect(200);
    expect((operatorView.body.events as { type: string }[]).map((event) => event.type)).toEqual(
      expect.arrayContaining(['account_disabled', 'account_enabled']),
    );
  });

  it('tells nothing when nothing changes: enabling an active account, disabling a disabled one', async () => {
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    await setStatus(id, 'active');
    expect(await deliveryTypes(id)).toEqual(['user.activated']);
    await setStatus(id, 'disabled');
    await setStatus(id, 'disabled');
    expect(await deliveryTypes(id)).toEqual(['user.activated', 'user.disabled', 'session.revoked']);
    await setStatus(id, 'active');
    await setStatus(id, 'active');
    expect(await deliveryTypes(id)).toEqual(['user.activated', 'user.disabled', 'session.revoked', 'user.enabled']);
    const signedIn = await t.http.get(`${API}/access_tokens`).auth(user.email, PASSWORD).expect(200);
    const events = (
      await t.http
        .get(`${API}/user/events`)
        .set('Authorization', `Bearer ${signedIn.body.access_token as string}`)
        .expect(200)
    ).body.events as { type: string }[];
    const statusEvents = events.map((event) => event.type).filter((type) => type.startsWith('account_'));
    expect(statusEvents).toEqual(['account_enabled', 'account_disabled']);
  });

  it('says which status an account never activated is back to: waiting for its code', async () => {
    const email = uniqueEmail('never');
    await t.http.post(`${API}/user`).send({ email }).expect(201);
    const id = await userId(t, email);
    await setStatus(id, 'disabled');
    await setStatus(id, 'active');
    const rows = await deliveriesOf(t, id);
    expect(rows.map((row) => row.event_type)).toEqual(['user.disabled', 'session.revoked', 'user.enabled']);
    await receiver.waitFor(() => receiver.eventsOf(id).length >= 3);
    expect(receiver.eventsOf(id)[2].body.data).toEqual({ user_id: id, email, status: 'deactived' });
  });
});
