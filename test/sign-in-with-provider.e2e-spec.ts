import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, callbackUri, exchange, RETURN_TO, signInWith } from './helpers/social-sign-in.js';
import { startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';
import { UpstreamProvider } from './helpers/upstream-provider.js';

const API = '/one_auth/api';

describe('sign in with another provider (51–54)', () => {
  let t: TestApp;
  let upstream: UpstreamProvider;
  const google = `google-${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    upstream = await UpstreamProvider.start([callbackUri(google)]);
    t = await startTestApp({ SOCIAL_RETURN_URLS: RETURN_TO });
    await addUpstream(t, upstream, google, true);
  });

  afterAll(async () => {
    await t?.close();
    await upstream?.stop();
  });

  it('makes an account at the first sign-in, and signs the same account in the second time', async () => {
    const sub = randomUUID();
    const email = uniqueEmail('first');
    upstream.users.set(sub, { email, email_verified: true });
    const first = await signInWith(t, upstream, google, sub);
    expect(first.error).toBeNull();
    expect(first.loginCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = await exchange(t, first.loginCode!).expect(200);
    expect(token.body.user_profile.email).toBe(email);
    const second = await signInWith(t, upstream, google, sub);
    const again = await exchange(t, second.loginCode!).expect(200);
    expect(again.body.user_profile.email).toBe(email);
    const identities = await t.http.get(`${API}/user/identities`).set('Authorization', `Bearer ${again.body.access_token}`).expect(200);
    expect(identities.body.identities).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        provider: google,
        email,
        linked_at: expect.any(String),
        last_used_at: expect.any(String),
      },
    ]);
  });
});
