import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';
const TOKENS = '/one_auth/api/access_tokens';
const PROFILE = '/one_auth/api/user/profile';
const VALIDATIONS = '/one_auth/api/validations';

/** RFC 6749 §5.1: an answer carrying a token or account data is stored by no cache, and offers no validator. */
function expectNotCached(response: { headers: Record<string, string | undefined> }) {
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers.pragma).toBe('no-cache');
  expect(response.headers.etag).toBeUndefined();
}

describe('no caching of tokens, profiles and account data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('on every answer of the seed flow that carries a token or a profile', async () => {
    const email = uniqueEmail('cache');
    expectNotCached(await t.http.post(USER).send({ email }).expect(201));
    const code = await t.smtp.waitForCode(email);
    const activated = await t.http.put(USER).send({ email, validation_code: code, password: 'correct horse battery staple' }).expect(200);
    expectNotCached(activated);
    const login = await t.http.get(TOKENS).auth(email, 'correct horse battery staple').expect(200);
    expectNotCached(login);
    const token = login.body.access_token as string;
    expectNotCached(await t.http.get(PROFILE).auth(email, token).expect(200));
    expectNotCached(await t.http.put(PROFILE).auth(email, token).send({ first_name: 'Ada' }).expect(200));
    expectNotCached(await t.http.get(VALIDATIONS).auth(email, token).expect(200));
    expectNotCached(await t.http.get(VALIDATIONS).set('Authorization', `Bearer ${token}`).expect(200));
    expectNotCached(await t.http.delete(TOKENS).auth(email, token).expect(200));
  });

  it('on errors and unknown paths of the API too: the rule is the prefix, not a list of routes', async () => {
    expectNotCached(await t.http.get(VALIDATIONS).expect(401));
    expectNotCached(
      await t.http
        .put(USER)
        .send({ email: 'nobody@example.com', validation_code: '000000', password: 'x'.repeat(12) })
        .expect(422),
    );
    expectNotCached(await t.http.post(USER).set('Content-Type', 'text/plain').send('email').expect(415));
    expectNotCached(await t.http.get('/one_auth/api/user/anything-added-later').expect(404));
  });

  it('leaves images their long cache', async () => {
    const user = await createActiveUser(t);
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const upload = await t.http.post('/one_auth/api/images').auth(user.email, user.token).attach('file', png, 'a.png').expect(201);
    expectNotCached(upload);
    const image = await t.http.get(new URL(upload.body.url as string).pathname).expect(200);
    expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(image.headers.pragma).toBeUndefined();
  });
});
