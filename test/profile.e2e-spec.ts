import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';

const PROFILE = '/one_auth/api/user/profile';
const FULL = { first_name: 'Jennifer', last_name: 'Lee', country: 'China', department: 'BSC', avatar: 'http://testurl/image.png' };

describe('profile (endpoints 6 and 10)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('updates every field and answers the profile with the request token and email', async () => {
    const user = await createActiveUser(t);
    const response = await t.http.put(PROFILE).auth(user.email, user.token).send(FULL).expect(200);
    expect(response.body).toEqual({ ...FULL, access_token: user.token, email: user.email });
    const read = await t.http.get(PROFILE).auth(user.email, user.token).expect(200);
    expect(read.body).toEqual({ ...FULL, email: user.email });
  });

  it('is a partial update: omitted fields stay, "" clears', async () => {
    const user = await createActiveUser(t);
    await t.http.put(PROFILE).auth(user.email, user.token).send(FULL).expect(200);
    const response = await t.http.put(PROFILE).auth(user.email, user.token).send({ country: '', department: 'R&D' }).expect(200);
    expect(response.body).toEqual({ ...FULL, country: '', department: 'R&D', access_token: user.token, email: user.email });
    const read = await t.http.get(PROFILE).set('Authorization', `Bearer ${user.token}`).expect(200);
    expect(read.body).toEqual({ ...FULL, country: '', department: 'R&D', email: user.email });
  });

  it('answers "" for unset fields, never null', async () => {
    const user = await createActiveUser(t);
    const read = await t.http.get(PROFILE).auth(user.email, user.token).expect(200);
    expect(read.body).toEqual({ email: user.email, first_name: '', last_name: '', country: '', department: '', avatar: '' });
  });

  it('ignores unknown fields: email, status and password cannot be changed through the profile', async () => {
    const user = await createActiveUser(t);
    const response = await t.http
      .put(PROFILE)
      .auth(user.email, user.token)
      .send({ first_name: 'Eve', email: 'eve@evil.test', status: 'deactived', password_hash: 'x', id: 1 })
      .expect(200);
    expect(response.body.email).toBe(user.email);
    const [row] = await t.dataSource.query(
      'SELECT u.email, u.status, p.first_name FROM users u INNER JOIN user_profiles p ON p.user_id = u.id WHERE u.email = ?',
      [user.email],
    );
    expect(row).toEqual({ email: user.email, status: 'active', first_name: 'Eve' });
    await t.http.get('/one_auth/api/access_tokens').auth(user.email, user.password).expect(200);
  });

  it.each([
    [{ first_name: 'x'.repeat(101) }, 'first_name', 'first_name must be at most 100 characters'],
    [{ last_name: 7 }, 'last_name', 'last_name must be a string'],
    [{ country: null }, 'country', 'country must be a string'],
    [{ department: ['a'] }, 'department', 'department must be a string'],
    [{ avatar: 'javascript:alert(1)' }, 'avatar', 'avatar must be an absolute http(s) URL or ""'],
    [{ avatar: '/relative.png' }, 'avatar', 'avatar must be an absolute http(s) URL or ""'],
    [{ avatar: `http://x.test/${'a'.repeat(2048)}` }, 'avatar', 'avatar must be at most 2048 characters'],
  ])('answers 400 naming the field for %j and changes nothing', async (body, field, message) => {
    const user = await createActiveUser(t);
    await t.http.put(PROFILE).auth(user.email, user.token).send(FULL).expect(200);
    const response = await t.http
      .put(PROFILE)
      .auth(user.email, user.token)
      .send({ first_name: 'Changed', ...body })
      .expect(400);
    expect(response.body.message).toBe(message);
    expect(response.body.errors).toContainEqual({ field, message });
    const read = await t.http.get(PROFILE).auth(user.email, user.token).expect(200);
    expect(read.body.first_name).toBe('Jennifer');
  });

  it('accepts a 100-character name and a 2048-character URL', async () => {
    const user = await createActiveUser(t);
    const avatar = `https://x.test/${'a'.repeat(2048 - 'https://x.test/'.length)}`;
    const response = await t.http
      .put(PROFILE)
      .auth(user.email, user.token)
      .send({ first_name: 'é'.repeat(100), avatar })
      .expect(200);
    expect(response.body.first_name).toBe('é'.repeat(100));
    expect(response.body.avatar).toBe(avatar);
  });

  it('answers 401 "Email or token is not correct" without a valid token', async () => {
    const user = await createActiveUser(t);
    for (const call of [
      t.http.put(PROFILE).send(FULL),
      t.http.put(PROFILE).auth(user.email, 'wrong').send(FULL),
      t.http.put(PROFILE).auth(user.email, user.password).send(FULL),
      t.http.get(PROFILE).auth(user.email, 'wrong'),
    ]) {
      const response = await call.expect(401);
      expect(response.body).toEqual({ message: 'Email or token is not correct' });
    }
  });

  it("A's token cannot read or change B's profile", async () => {
    const alice = await createActiveUser(t);
    const bob = await createActiveUser(t);
    await t.http.put(PROFILE).auth(bob.email, bob.token).send(FULL).expect(200);
    await t.http.put(PROFILE).auth(bob.email, alice.token).send({ first_name: 'Mallory' }).expect(401);
    await t.http.get(PROFILE).auth(bob.email, alice.token).expect(401);
    const own = await t.http.put(PROFILE).auth(alice.email, alice.token).send({ first_name: 'Alice' }).expect(200);
    expect(own.body.email).toBe(alice.email);
    const read = await t.http.get(PROFILE).auth(bob.email, bob.token).expect(200);
    expect(read.body).toEqual({ ...FULL, email: bob.email });
  });

  it('shows profile changes to the token check of other services', async () => {
    const user = await createActiveUser(t);
    await t.http.put(PROFILE).auth(user.email, user.token).send(FULL).expect(200);
    const check = await t.http.get('/one_auth/api/validations').auth(user.email, user.token).expect(200);
    expect(check.body).toEqual({ ...FULL, email: user.email });
    const login = await t.http.get('/one_auth/api/access_tokens').auth(user.email, user.password).expect(200);
    expect(login.body.user_profile).toEqual({ ...FULL, email: user.email });
  });
});
