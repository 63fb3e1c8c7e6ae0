import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from './helpers/api-keys.js';
import { basic, createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';

const INTROSPECT = '/one_auth/api/introspect';
const USERS = '/one_auth/admin/api/users';
const TOKENS = '/one_auth/api/access_tokens';
const FORM = 'application/x-www-form-urlencoded';
const INACTIVE = { active: false };

describe('token introspection (endpoint 40, RFC 7662)', () => {
  let t: TestApp;
  let client: { name: string; key: string };
  let admin: { name: string; key: string };
  beforeAll(async () => {
    t = await startTestApp();
    client = await createKey(t.app, 'introspect');
    admin = await createKey(t.app, 'users:read,users:write');
  });
  afterAll(async () => {
    await t.close();
  });

  const introspect = (token: string, authorization = `Bearer ${client.key}`) =>
    t.http.post(INTROSPECT).set('Authorization', authorization).type('form').send({ token });
  /** The token's row, found by its SHA-256 as the service stores it. */
  const tokenRow = async (token: string) => {
    const [row] = (await t.dataSource.query('SELECT id, created_at, expires_at, last_used_at FROM access_tokens WHERE token_hash = ?', [
      createHash('sha256').update(token).digest('hex'),
    ])) as { id: number; created_at: string | number; expires_at: string | number; last_used_at: string | number }[];
    return row;
  };

  it('describes a live token: sub, username, token_type, exp, iat, client_id; no-store', async () => {
    const user = await createActiveUser(t);
    const row = await tokenRow(user.token);
    const response = await introspect(user.token).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const [{ id }] = (await t.dataSource.query('SELECT id FROM users WHERE email = ?', [user.email])) as { id: number }[];
    expect(response.body).toEqual({
      active: true,
      sub: String(id),
      username: user.email,
      token_type: 'access_token',
      exp: Math.floor(Math.min(Number(row.expires_at), Number(row.last_used_at) + 7 * 86_400_000) / 1000),
      iat: Math.floor(Number(row.created_at) / 1000),
      client_id: client.name,
    });
  });

  it('takes the key as Basic key_name:key too, and ignores token_type_hint', async () => {
    const user = await createActiveUser(t);
    const response = await t.http
      .post(INTROSPECT)
      .set('Authorization', basic(client.name, client.key))
      .type('form')
      .send({ token: user.token, token_type_hint: 'refresh_token' })
      .expect(200);
    expect(response.body).toMatchObject({ active: true, username: user.email, client_id: client.name });
    // The key with another key's name is no key.
    await introspect(user.token, basic(admin.name, client.key)).expect(401);
  });

  it('requires a key with the introspect scope: 401 with the challenge of both schemes, 403 without the scope', async () => {
    const user = await createActiveUser(t);
    const missing = await t.http.post(INTROSPECT).type('form').send({ token: user.token }).expect(401);
    expect(missing.body).toEqual({ message: 'API key is not correct' });
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="one_auth", Basic realm="one_auth", charset="UTF-8"');
    // An access token is not a key.
    await introspect(user.token, `Bearer ${user.token}`).expect(401);
    await introspect(user.token, basic(user.email, user.token)).expect(401);
    await introspect(user.token, `Bearer ${admin.key}`).expect(403, { message: 'Not allowed' });
  });

  it('answers {"active": false} and nothing else for unknown, revoked, expired and idle tokens, and for a disabled account', async () => {
    await introspect('q3xq0p0Qmn3sF1pC4QJ0ZbZ6xg2m5mVvG6Y4vJtWv9Q').expect(200, INACTIVE);

    const revoked = await createActiveUser(t);
    await t.http.delete(TOKENS).auth(revoked.email, revoked.token).expect(200);
    await introspect(revoked.token).expect(200, INACTIVE);

    const expired = await createActiveUser(t);
    await introspect(expired.token).expect(200);
    await t.dataSource.query('UPDATE access_tokens SET expires_at = ? WHERE id = ?', [
      Date.now() - 1000,
      (await tokenRow(expired.token)).id,
    ]);
    await introspect(expired.token).expect(200, INACTIVE);

    const idle = await createActiveUser(t);
    await t.dataSource.query('UPDATE access_tokens SET last_used_at = ? WHERE id = ?', [
      Date.now() - 7 * 86_400_000 - 1000,
      (await tokenRow(idle.token)).id,
    ]);
    await introspect(idle.token).expect(200, INACTIVE);

    const disabled = await createActiveUser(t);
    await introspect(disabled.token).expect(200);
    const listed = await t.http.get(USERS).query({ email: disabled.email }).set('Authorization', `Bearer ${admin.key}`).expect(200);
    // Disabled as the database has it, sessions kept: the status alone makes the token dead.
    await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = ?", [listed.body.users[0].id]);
    await introspect(disabled.token).expect(200, INACTIVE);
  });

  it('does not count as a use of the token: its last use stays as it was', async () => {
    const user = await createActiveUser(t);
    const { id } = await tokenRow(user.token);
    const earlier = Date.now() - 3 * 86_400_000;
    await t.dataSource.query('UPDATE access_tokens SET last_used_at = ? WHERE id = ?', [earlier, id]);
    const response = await introspect(user.token).expect(200);
    expect(response.body.exp).toBe(Math.floor((earlier + 7 * 86_400_000) / 1000));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [row] = (await t.dataSource.query('SELECT last_used_at FROM access_tokens WHERE id = ?', [id])) as { last_used_at: string }[];
    expect(Number(row.last_used_at)).toBe(earlier);
  });

  it('takes a form only: 415 for JSON, 400 without a token', async () => {
    const user = await createActiveUser(t);
    const json = await t.http.post(INTROSPECT).set('Authorization', `Bearer ${client.key}`).send({ token: user.token }).expect(415);
    expect(json.body).toEqual({ message: 'Unsupported media type, please use application/x-www-form-urlencoded' });
    const empty = await t.http.post(INTROSPECT).set('Authorization', `Bearer ${client.key}`).set('Content-Type', FORM).send('').expect(400);
    expect(empty.body.errors).toEqual([{ field: 'token', message: 'token is required' }]);
    await t.http.post(INTROSPECT).set('Authorization', `Bearer ${client.key}`).type('form').send({ other: 'x' }).expect(400);
    const huge = await t.http
      .post(INTROSPECT)
      .set('Authorization', `Bearer ${client.key}`)
      .type('form')
      .send({ token: 'x'.repeat(20_000) })
      .expect(413);
    expect(huge.body).toEqual({ message: 'Payload too large' });
    // Elsewhere a form is still refused.
    await t.http.post('/one_auth/api/user').type('form').send({ email: user.email }).expect(415);
  });
});
