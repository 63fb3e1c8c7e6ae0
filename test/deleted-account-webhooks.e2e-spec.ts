import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { deliveriesOf, userId } from './helpers/webhook-rows.js';

const TOKENS = '/one_auth/api/access_tokens';
const SESSIONS = '/one_auth/api/sessions';
const USER = '/one_auth/api/user';
const PASSWORD_CHANGE = '/one_auth/api/user/password';
const EMAIL_CHANGE = '/one_auth/api/user/email';
const NEW_PASSWORD = 'a brand new passphrase';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * An account whose events could not be delivered yet (the endpoints answer
 * 500) is deleted: every one of its events still reaches every endpoint, in
 * the order it happened, `user.deleted` last; once they are delivered nothing
 * personal of the account is left in the database.
 */
describe('webhooks of an account deleted before its events were delivered', () => {
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

  it('delivers every event of the account to every endpoint, in order, before user.deleted', async () => {
    primary.failWith = 500;
    secondary.failWith = 500;
    const user = await createActiveUser(t);
    const id = await userId(t, user.email);
    // A second device, signed out by its session id.
    const second = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
    const sessions = (await t.http.get(SESSIONS).auth(user.email, second).expect(200)).body.sessions as { id: string; current: boolean }[];
    const secondSession = sessions.find((session) => session.current)!.id;
    await t.http.delete(`${SESSIONS}/${secondSession}`).auth(user.email, user.token).expect(200);
    await t.http
      .put(PASSWORD_CHANGE)
      .auth(user.email, user.token)
      .send({ password: user.password, new_password: NEW_PASSWORD })
      .expect(200);
    const newEmail = uniqueEmail('moved');
    await t.http.post(EMAIL_CHANGE).auth(user.email, user.token).send({ new_email: newEmail, password: NEW_PASSWORD }).expect(202);
    const code = await t.smtp.waitForCode(newEmail);
    await t.http.put(EMAIL_CHANGE).auth(user.email, user.token).send({ new_email: newEmail, validation_code: code }).expect(200);
    // The first event has been tried and refused while the account still existed.
    await primary.waitFor(() => primary.refusedIds.length > 0);
    await t.http.delete(USER).auth(newEmail, NEW_PASSWORD).expect(200);

    primary.failWith = null;
    secondary.failWith = null;
    const expected = [
      ['user.activated', { user_id: id, email: user.email }],
      ['session.revoked', { user_id: id, scope: 'one', session_id: secondSession }],
      ['user.password_changed', { user_id: id, email: user.email }],
      ['user.email_changed', { user_id: id, email: newEmail, previous_email: user.email }],
      ['user.deleted', { user_id: id, email: newEmail }],
    ];
    for (const receiver of [primary, secondary]) {
      await receiver.waitFor(() => receiver.eventsOf(id).some((hook) => hook.body.type === 'user.deleted'), 20_000);
      const hooks = receiver.eventsOf(id);
      expect(hooks.map((hook) => [hook.body.type, hook.body.data])).toEqual(expected);
      expect(hooks.every((hook) => hook.verified)).toBe(true);
    }
    // Once delivered, no row still names the account.
    await expect
      .poll(async () => (await deliveriesOf(t, id)).every((row) => row.status === 'delivered' && row.payload === ''), { timeout: 10_000 })
      .toBe(true);
    const [{ n }] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE payload LIKE ? OR payload LIKE ?', [
      `%${user.email}%`,
      `%${newEmail}%`,
    ])) as { n: number | string }[];
    expect(Number(n)).toBe(0);
  }, 60_000);
});
