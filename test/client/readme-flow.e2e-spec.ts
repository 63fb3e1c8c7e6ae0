import createClient, { type Client } from 'openapi-fetch';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, createActiveUser, PASSWORD, startTestApp, type TestApp, uniqueEmail } from '../helpers/test-app.js';
import { awayFromStepEdge, totpCode } from '../helpers/totp.js';
import type { paths } from './openapi-types.js';

/**
 * The first walk-through of docs/walkthrough.md, driven by a client generated from the published
 * document (openapi-typescript + openapi-fetch) over real HTTP. It compiles
 * under --strict without casts (npm run openapi:check), so a schema that
 * drifts from what the service answers breaks either the build or this run.
 */
describe('a client generated from the OpenAPI document runs the first walk-through of docs/walkthrough.md', () => {
  let t: TestApp;
  let api: Client<paths>;
  beforeAll(async () => {
    t = await startTestApp();
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the service listens on no TCP port');
    api = createClient<paths>({ baseUrl: `http://127.0.0.1:${address.port}` });
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers, activates, logs in, keeps a profile and an avatar, and logs out', async () => {
    const email = uniqueEmail('client');

    const registered = await api.POST('/one_auth/api/user', { body: { email } });
    expect(registered.response.status).toBe(201);
    expect(registered.data).toEqual({ email, status: 'deactived' });

    const code = await t.smtp.waitForCode(email);
    const checked = await api.PUT('/one_auth/api/validation_code', { body: { email, validation_code: code } });
    expect(checked.data).toEqual({ message: 'Valid code' });

    const wrong = await api.PUT('/one_auth/api/validation_code', {
      body: { email, validation_code: code === '000000' ? '111111' : '000000' },
    });
    expect(wrong.response.status).toBe(422);
    expect(wrong.error).toEqual({ message: 'Invalid code' });

    const activated = await api.PUT('/one_auth/api/user', { body: { email, validation_code: code, password: PASSWORD } });
    expect(activated.data?.status).toBe('active');
    expect(activated.data?.access_token).toMatch(/^[\w-]{43,}$/);

    const login = await api.GET('/one_auth/api/access_tokens', { headers: { Authorization: basic(email, PASSWORD) } });
    expect(login.response.status).toBe(200);
    const token = login.data?.access_token ?? '';
    expect(token).toMatch(/^[\w-]{43,}$/);
    expect(token).not.toBe(activated.data?.access_token);
    expect(login.data?.user_profile).toEqual({ email, first_name: '', last_name: '', country: '', department: '', avatar: '' });
    const auth = { Authorization: basic(email, token) };

    const refused = await api.GET('/one_auth/api/access_tokens', { headers: { Authorization: basic(email, 'not the password') } });
    expect(refused.response.status).toBe(401);
    expect(refused.error).toEqual({ message: 'Email or password is not correct' });
    expect(refused.response.headers.get('www-authenticate')).toBe('Basic realm="one_auth", charset="UTF-8"');

    const profile = await api.GET('/one_auth/api/user/profile', { headers: auth });
    expect(profile.data).toEqual({ email, first_name: '', last_name: '', country: '', department: '', avatar: '' });

    const names = { first_name: 'Jennifer', last_name: 'Lee', country: 'China', department: 'BSC' };
    const updated = await api.PUT('/one_auth/api/user/profile', { headers: auth, body: names });
    expect(updated.data).toEqual({ ...names, avatar: '', email, access_token: token });

    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    const uploaded = await api.POST('/one_auth/api/images', {
      headers: auth,
      body: { file: new Blob([png], { type: 'image/png' }) },
      bodySerializer: (body) => {
        const form = new FormData();
        form.append('file', body.file, 'avatar.png');
        return form;
      },
    });
    expect(uploaded.response.status).toBe(201);
    const url = uploaded.data?.url ?? '';
    expect(url).toMatch(/^http:\/\/one-auth\.test\/one_auth\/images\/[\w-]+\.png$/);

    const name = url.slice(url.lastIndexOf('/') + 1);
    const image = await api.GET('/one_auth/images/{name}', { params: { path: { name } }, parseAs: 'blob' });
    expect(image.response.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from((await image.data?.arrayBuffer()) ?? new ArrayBuffer(0))).metadata()).width).toBe(8);
    // Another name of the same shape: its first hex digit changed, so it is never the uploaded one.
    const other = `${name.startsWith('0') ? '1' : '0'}${name.slice(1)}`;
    const missing = await api.GET('/one_auth/images/{name}', { params: { path: { name: other } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toEqual({ message: 'Image not found' });

    const withAvatar = await api.PUT('/one_auth/api/user/profile', { headers: auth, body: { avatar: url } });
    expect(withAvatar.data?.avatar).toBe(url);

    const validated = await api.GET('/one_auth/api/validations', { headers: auth });
    expect(validated.data).toEqual({ email, ...names, avatar: url });

    const invalid = await api.PUT('/one_auth/api/user/profile', { headers: auth, body: { avatar: 'not a url' } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error?.errors?.[0]?.field).toBe('avatar');

    const loggedOut = await api.DELETE('/one_auth/api/access_tokens', { headers: auth });
    expect(loggedOut.data).toEqual({ message: 'success' });
    const after = await api.GET('/one_auth/api/validations', { headers: auth });
    expect(after.response.status).toBe(401);
    expect(after.error).toEqual({ message: 'Email or token is not correct' });

    const live = await api.GET('/one_auth/health/live');
    expect(live.data?.status).toBe('ok');
    const ready = await api.GET('/one_auth/health/ready');
    expect(ready.data?.database).toBe('up');
  });

  it('turns two-step login on, logs in with a code from the app, then with a recovery code', async () => {
    const user = await createActiveUser(t);
    const auth = { Authorization: basic(user.email, user.token) };

    const started = await api.POST('/one_auth/api/user/totp', { headers: auth, body: { password: user.password } });
    const secret = started.data?.secret ?? '';
    expect(started.data?.otpauth_uri).toMatch(/^otpauth:\/\/totp\/one_auth:/);
    await awayFromStepEdge();
    const confirmed = await api.PUT('/one_auth/api/user/totp', { headers: auth, body: { code: totpCode(secret, -1) } });
    const recoveryCodes = confirmed.data?.recovery_codes ?? [];
    expect(recoveryCodes).toHaveLength(10);

    const challenged = await api.GET('/one_auth/api/access_tokens', { headers: { Authorization: basic(user.email, user.password) } });
    expect(challenged.response.status).toBe(401);
    const challenge = challenged.error;
    const mfaToken = challenge && 'mfa_token' in challenge ? challenge.mfa_token : '';
    expect(challenge).toEqual({ message: 'Second factor required', mfa_token: mfaToken, methods: ['totp', 'recovery_code'] });

    const finished = await api.POST('/one_auth/api/access_tokens/second_factor', { body: { mfa_token: mfaToken, code: totpCode(secret) } });
    expect(finished.response.status).toBe(200);
    expect(finished.data?.user_profile.email).toBe(user.email);

    const again = await api.GET('/one_auth/api/access_tokens', { headers: { Authorization: basic(user.email, user.password) } });
    const second = again.error && 'mfa_token' in again.error ? again.error.mfa_token : '';
    const recovered = await api.POST('/one_auth/api/access_tokens/second_factor', { body: { mfa_token: second, code: recoveryCodes[0] } });
    const token = recovered.data?.access_token ?? '';
    expect((await api.GET('/one_auth/api/validations', { headers: { Authorization: basic(user.email, token) } })).data?.email).toBe(
      user.email,
    );
    const reused = await api.POST('/one_auth/api/access_tokens/second_factor', { body: { mfa_token: second, code: recoveryCodes[1] } });
    expect(reused.response.status).toBe(401);
    expect(reused.error).toEqual({ message: 'Login expired' });
  });
});
