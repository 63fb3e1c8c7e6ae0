import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';

const SESSIONS = '/one_auth/api/sessions';
const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const EVENTS = '/one_auth/api/user/events';
const NOT_FOUND = { message: 'Session not found' };
const BAD_TOKEN = { message: 'Email or token is not correct' };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Session {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  user_agent: string;
  client_address: string;
  current: boolean;
}

describe('sessions (endpoints 15, 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Trusting the proxy lets each login come from an address of its own.
    t = await startTestApp({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function login(email: string, password: string, userAgent: string, address: string): Promise<string> {
    const response = await t.http
      .get(TOKENS)
      .auth(email, password)
      .set('User-Agent', userAgent)
      .set('X-Forwarded-For', address)
      .expect(200);
    return response.body.access_token as string;
  }

  async function sessionsOf(token: string): Promise<Session[]> {
    const response = await t.http.get(SESSIONS).set('Authorization', `Bearer ${token}`).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Object.keys(response.body)).toEqual(['sessions']);
    return response.body.sessions as Session[];
  }

  it('lists every live session newest first, with where it came from and which one is current', async () => {
    const user = await createActiveUser(t);
    const laptop = await login(user.email, user.password, 'Laptop/1.0', '198.51.100.1');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const phone = await login(user.email, user.password, 'Phone/2.0', '198.51.100.2');
    const sessions = await sessionsOf(phone);
    expect(sessions).toHaveLength(3);
    expect(sessions.map((session) => session.user_agent)).toEqual(['Phone/2.0', 'Laptop/1.0', expect.any(String)]);
    expect(sessions.map((session) => session.client_address)).toEqual(['198.51.100.2', '198.51.100.1', expect.any(String)]);
    expect(sessions.map((session) => session.current)).toEqual([true, false, false]);
    const [newest] = sessions;
    expect(Object.keys(newest).sort()).toEqual([
      'client_address',
      'created_at',
      'current',
      'expires_at',
      'id',
      'last_used_at',
      'user_agent',
    ]);
    for (const field of ['created_at', 'last_used_at', 'expires_at'] as const) expect(newest[field]).toMatch(ISO);
    expect(Date.parse(newest.expires_at) - Date.parse(newest.created_at)).toBe(30 * 86_400_000);
    // From the laptop, the laptop is current.
    expect((await sessionsOf(laptop)).map((session) => session.current)).toEqual([false, true, false]);
  });

  it('shows an id that reveals nothing about the token: random, not the token, not its hash', async () => {
    const user = await createActiveUser(t);
    const [session] = await sessionsOf(user.token);
    const tokenHash = createHash('sha256').update(user.token).digest('hex');
    expect(session.id).toMatch(/^[0-9a-f]{32}$/);
    expect(tokenHash).not.toContain(session.id);
    expect(user.token).not.toContain(session.id);
    const [stored] = (await t.dataSource.query('SELECT public_id, token_hash FROM access_tokens WHERE public_id = ?', [session.id])) as {
      token_hash: string;
    }[];
    expect(stored.token_hash).toBe(tokenHash);
  });

  it('keeps at most 256 characters of the user agent', async () => {
    const user = await createActiveUser(t);
    const token = await login(user.email, user.password, `Agent/${'x'.repeat(400)}`, '198.51.100.3');
    const [current] = await sessionsOf(token);
    expect(current.user_agent).toBe(`Agent/${'x'.repeat(250)}`);
  });

  it('revokes a session by id: its token stops working at once, the others keep working', async () => {
    const user = await createActiveUser(t);
    const other = await login(user.email, user.password, 'Other/1.0', '198.51.100.4');
    const target = (await sessionsOf(user.token)).find((session) => session.user_agent === 'Other/1.0')!;
    const response = await t.http.delete(`${SESSIONS}/${target.id}`).auth(user.email, user.token).expect(200);
    expect(response.body).toEqual({ message: 'success' });
    expect((await t.http.get(VALIDATIONS).auth(user.email, other).expect(401)).body).toEqual(BAD_TOKEN);
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
    expect((await sessionsOf(user.token)).map((session) => session.id)).not.toContain(target.id);
    const events = (await t.http.get(EVENTS).auth(user.email, user.token).expect(200)).body.events as { type: string }[];
    expect(events[0].type).toBe('session_revoked');
    // A second time it is no longer a live session.
    expect((await t.http.delete(`${SESSIONS}/${target.id}`).auth(user.email, user.token).expect(404)).body).toEqual(NOT_FOUND);
  });

  it('revokes the current session too', async () => {
    const user = await createActiveUser(t);
    const [current] = await sessionsOf(user.token);
    await t.http.delete(`${SESSIONS}/${current.id}`).set('Authorization', `Bearer ${user.token}`).expect(200);
    await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${user.token}`).expect(401);
  });

  it("never shows or revokes another account's session: its id is a 404, and it keeps working", async () => {
    const alice = await createActiveUser(t);
    const bob = await createActiveUser(t);
    const [bobs] = await sessionsOf(bob.token);
    const aliceSees = await sessionsOf(alice.token);
    expect(aliceSees.map((session) => session.id)).not.toContain(bobs.id);
    const response = await t.http.delete(`${SESSIONS}/${bobs.id}`).auth(alice.email, alice.token).expect(404);
    expect(response.body).toEqual(NOT_FOUND);
    await t.http.get(VALIDATIONS).auth(bob.email, bob.token).expect(200);
  });

  it('answers 404 for an expired session and for ids that are no session at all', async () => {
    const user = await createActiveUser(t);
    const old = await login(user.email, user.password, 'Old/1.0', '198.51.100.5');
    const [oldSession] = await sessionsOf(old);
    await t.dataSource.query('UPDATE access_tokens SET expires_at = ? WHERE public_id = ?', [Date.now() - 1, oldSession.id]);
    expect((await sessionsOf(user.token)).map((session) => session.id)).not.toContain(oldSession.id);
    for (const id of [oldSession.id, '0'.repeat(32), 'not-an-id', "1' OR '1'='1", 'A'.repeat(64)]) {
      const response = await t.http
        .delete(`${SESSIONS}/${encodeURIComponent(id)}`)
        .auth(user.email, user.token)
        .expect(404);
      expect(response.body).toEqual(NOT_FOUND);
    }
  });

  it('answers 401 without a valid token', async () => {
    const user = await createActiveUser(t);
    const [session] = await sessionsOf(user.token);
    expect((await t.http.get(SESSIONS).expect(401)).body).toEqual(BAD_TOKEN);
    expect((await t.http.get(SESSIONS).auth(user.email, user.password).expect(401)).body).toEqual(BAD_TOKEN);
    expect((await t.http.delete(`${SESSIONS}/${session.id}`).auth(user.email, 'x'.repeat(43)).expect(401)).body).toEqual(BAD_TOKEN);
    await t.http.get(VALIDATIONS).auth(user.email, user.token).expect(200);
  });
});
