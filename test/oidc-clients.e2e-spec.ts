import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientsCommand } from '../src/oidc-clients/clients-command.js';
import { OidcClientsService } from '../src/oidc-clients/oidc-clients.service.js';
import { runSigningKeysCommand } from '../src/oidc/signing-keys-command.js';
import { SigningKeys } from '../src/oidc/signing-keys.service.js';
import { createKey } from './helpers/api-keys.js';
import { logRecordsSince, outputMark } from './helpers/output-capture.js';
import { client, oauthError, type OidcTestApp, relyingParty, signIn, startOidcTestApp, TEST_REDIRECT_URI } from './helpers/oidc-rp.js';
import { noteSecret } from './helpers/secrets.js';
import { createActiveUser } from './helpers/test-app.js';

const CLIENTS = '/one_auth/admin/api/clients';

describe('registering clients: the clients CLI and the admin API', () => {
  let t: OidcTestApp;
  let writer: string;
  let reader: string;
  let startMark: number;

  beforeAll(async () => {
    startMark = outputMark();
    t = await startOidcTestApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    ({ key: writer } = await createKey(t.app, 'clients:read,clients:write'));
    ({ key: reader } = await createKey(t.app, 'clients:read'));
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Runs `clients …` as the CLI does, on the app's own service. */
  async function clients(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runClientsCommand(args, t.app.get(OidcClientsService), {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { status, out, err };
  }

  const valueOf = (lines: string[], key: string) => lines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);

  it('creates a confidential client on the command line: client_id and client_secret as lines on stdout, and it signs people in', async () => {
    const created = await clients(
      'create',
      'Team wiki',
      '--redirect-uri',
      TEST_REDIRECT_URI,
      '--first-party',
      '--post-logout-redirect-uri',
      'https://app.example.com/',
    );
    expect(created.status).toBe(0);
    expect(created.out).toEqual([
      expect.stringMatching(/^client_id=[0-9a-f]{32}$/),
      expect.stringMatching(/^client_secret=[A-Za-z0-9_-]{43}$/),
    ]);
    const clientId = valueOf(created.out, 'client_id')!;
    const clientSecret = valueOf(created.out, 'client_secret')!;
    noteSecret(clientSecret);
    expect(created.err.join('\n')).not.toContain(clientSecret);
    const user = await createActiveUser(t);
    const registered = {
      clientId,
      clientSecret,
      registration: { token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
    } as Parameters<typeof relyingParty>[1];
    const config = await relyingParty(t.issuer, registered);
    expect((await signIn(config, { email: user.email, password: user.password })).tokens.access_token).toBeTruthy();

    const listed = await clients('list');
    expect(listed.out[0].split('\t')).toEqual([
      'client_id',
      'client_name',
      'type',
      'first_party',
      'subject_type',
      'redirect_uris',
      'created_at',
    ]);
    expect(
      listed.out
        .find((line) => line.startsWith(clientId))
        ?.split('\t')
        .slice(0, 6),
    ).toEqual([clientId, 'Team wiki', 'confidential', 'true', 'public', TEST_REDIRECT_URI]);
    expect(listed.out.join('\n')).not.toContain(clientSecret);
    const shown = await clients('show', clientId);
    expect(valueOf(shown.out, 'post_logout_redirect_uris')).toBe('https://app.example.com/');
    expect(shown.out.join('\n')).not.toContain(clientSecret);

    // A new secret: the old one stops working at once.
    const rotated = await clients('rotate-secret', clientId);
    expect(rotated.status).toBe(0);
    const newSecret = valueOf(rotated.out, 'client_secret')!;
    noteSecret(newSecret);
    expect(newSecret).not.toBe(clientSecret);
    const stale = await relyingParty(t.issuer, registered);
    expect(await oauthError(signIn(stale, { email: user.email, password: user.password }))).toBe('invalid_client');
    const fresh = await relyingParty(t.issuer, { ...registered, clientSecret: newSecret });
    const { tokens } = await signIn(fresh, { email: user.email, password: user.password });

    // Deleted: everything issued to it ends, and it no longer signs anyone in.
    const deleted = await clients('delete', clientId);
    expect(deleted.status).toBe(0);
    await expect(client.fetchUserInfo(fresh, tokens.access_token, client.skipSubjectCheck)).rejects.toThrow();
    expect((await clients('show', clientId)).status).toBe(1);
    expect((await clients('delete', clientId)).status).toBe(1);
  });

  it('creates a public client (no secret) and refuses what SPEC’s redirect URI rules refuse', async () => {
    const created = await clients(
      'create',
      'Mobile',
      '--public',
      '--redirect-uri',
      'com.example.app:/callback',
      '--redirect-uri',
      'http://127.0.0.1/cb',
    );
    expect(created.status).toBe(0);
    expect(created.out).toEqual([expect.stringMatching(/^client_id=/)]);
    const shown = await clients('show', valueOf(created.out, 'client_id')!);
    expect(valueOf(shown.out, 'token_endpoint_auth_method')).toBe('none');
    for (const [uri, why] of [
      ['http://app.example.com/cb', 'may use http only on localhost'],
      ['https://app.example.com/cb#top', 'must not contain a fragment'],
      ['https://*.example.com/cb', 'must not contain a wildcard'],
      ['javascript:alert(1)', 'must use https'],
      ['myapp:/cb', 'must use https'],
      ['/relative', 'must be an absolute URI'],
    ]) {
      const refused = await clients('create', 'Bad', '--redirect-uri', uri);
      expect(refused.status, uri).toBe(1);
      expect(refused.err.join('\n'), uri).toContain(why);
    }
    expect((await clients('create', 'Bad', '--public', '--pkce-optional', '--redirect-uri', TEST_REDIRECT_URI)).status).toBe(1);
    expect((await clients('create', 'No redirect')).status).toBe(2);
    expect((await clients('frobnicate')).status).toBe(2);
  });

  it('updates a client: lists given replace, the rest stays; made confidential it gets a secret', async () => {
    const created = await clients('create', 'SPA', '--public', '--redirect-uri', TEST_REDIRECT_URI);
    const clientId = valueOf(created.out, 'client_id')!;
    const updated = await clients(
      'update',
      clientId,
      '--name',
      'SPA 2',
      '--pairwise',
      '--token-endpoint-auth-method',
      'client_secret_post',
    );
    expect(updated.status).toBe(0);
    expect(valueOf(updated.out, 'client_name')).toBe('SPA 2');
    expect(valueOf(updated.out, 'subject_type')).toBe('pairwise');
    expect(valueOf(updated.out, 'redirect_uris')).toBe(TEST_REDIRECT_URI);
    expect(valueOf(updated.out, 'client_secret')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    noteSecret(valueOf(updated.out, 'client_secret'));
  });

  it('registers, shows, changes and deletes clients through the admin API, each change audited (39)', async () => {
    const auth = { Authorization: `Bearer ${writer}` };
    await t.http.get(CLIENTS).set('Authorization', `Bearer ${reader}`).expect(200);
    await t.http
      .post(CLIENTS)
      .set('Authorization', `Bearer ${reader}`)
      .send({ client_name: 'x', redirect_uris: [TEST_REDIRECT_URI] })
      .expect(403);
    await t.http.get(CLIENTS).expect(401);
    const created = await t.http
      .post(CLIENTS)
      .set(auth)
      .send({
        client_name: 'Grafana',
        redirect_uris: ['https://grafana.example.com/login/generic_oauth'],
        backchannel_logout_uri: null,
        mass: 'ignored',
      })
      .expect(201);
    noteSecret(created.body.client_secret);
    expect(created.body).toMatchObject({
      client_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      client_secret: expect.any(String),
      client_name: 'Grafana',
      token_endpoint_auth_method: 'client_secret_basic',
      subject_type: 'public',
      id_token_signed_response_alg: 'RS256',
      first_party: false,
      pkce_optional: false,
      backchannel_logout_uri: null,
      post_logout_redirect_uris: [],
    });
    expect(created.body).not.toHaveProperty('mass');
    const { client_id: clientId } = created.body;
    const shown = await t.http.get(`${CLIENTS}/${clientId}`).set(auth).expect(200);
    expect(shown.body).not.toHaveProperty('client_secret');
    const listed = await t.http.get(CLIENTS).set(auth).expect(200);
    expect(listed.body.clients.map((entry: { client_id: string }) => entry.client_id)).toContain(clientId);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.client_secret);

    const patched = await t.http
      .patch(`${CLIENTS}/${clientId}`)
      .set(auth)
      .send({ id_token_signed_response_alg: 'ES256', post_logout_redirect_uris: ['https://grafana.example.com/'] })
      .expect(200);
    expect(patched.body).toMatchObject({ client_name: 'Grafana', id_token_signed_response_alg: 'ES256' });
    expect(patched.body).not.toHaveProperty('client_secret');
    const refused = await t.http
      .patch(`${CLIENTS}/${clientId}`)
      .set(auth)
      .send({ redirect_uris: ['http://grafana.example.com/cb'] })
      .expect(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'redirect_uris' });
    await t.http.patch(`${CLIENTS}/${clientId}`).set(auth).send({ first_party: 'yes' }).expect(400);
    await t.http
      .post(CLIENTS)
      .set(auth)
      .send({ client_name: 'No URIs' })
      .expect(400, {
        message: 'redirect_uris is required',
        errors: [{ field: 'redirect_uris', message: 'redirect_uris is required' }],
      });

    const rotated = await t.http.post(`${CLIENTS}/${clientId}/secret`).set(auth).expect(200);
    noteSecret(rotated.body.client_secret);
    expect(rotated.body).toEqual({ client_id: clientId, client_secret: expect.any(String) });
    expect(rotated.body.client_secret).not.toBe(created.body.client_secret);
    const spa = await t.http
      .post(CLIENTS)
      .set(auth)
      .send({ client_name: 'SPA', redirect_uris: [TEST_REDIRECT_URI], token_endpoint_auth_method: 'none' })
      .expect(201);
    expect(spa.body).not.toHaveProperty('client_secret');
    await t.http.post(`${CLIENTS}/${spa.body.client_id}/secret`).set(auth).expect(409, { message: 'A public client has no secret' });

    await t.http.delete(`${CLIENTS}/${clientId}`).set(auth).expect(200, { message: 'success' });
    await t.http.get(`${CLIENTS}/${clientId}`).set(auth).expect(404, { message: 'Client not found' });
    await t.http.delete(`${CLIENTS}/${clientId}`).set(auth).expect(404, { message: 'Client not found' });

    const { key: auditor } = await createKey(t.app, 'users:read');
    const audit = await t.http.get('/one_auth/admin/api/audit').set('Authorization', `Bearer ${auditor}`).expect(200);
    const mine = audit.body.entries.filter((entry: { client_id?: string }) => entry.client_id === clientId);
    expect(mine.map((entry: { action: string }) => entry.action)).toEqual([
      'client.deleted',
      'client.secret_rotated',
      'client.updated',
      'client.created',
    ]);
    expect(mine[0]).toMatchObject({ user_id: null, email: '', key_name: expect.any(String) });
  });

  it('rotates signing keys from the command line: published first, signing later', async () => {
    const out: string[] = [];
    const status = await runSigningKeysCommand(['rotate'], t.app.get(SigningKeys), { out: (line) => out.push(line), err: () => undefined });
    expect(status).toBe(0);
    const states = out.slice(1).map((line) => line.split('\t'));
    for (const alg of ['RS256', 'ES256']) {
      const ofAlg = states.filter((row) => row[1] === alg);
      expect(ofAlg.map((row) => row[3])).toEqual(['signing', 'next']);
    }
    const { keys } = (await (await fetch(`${t.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    // Published at once (this instance read the keys again after the command), still signed with the old one.
    await t.app.get((await import('../src/oidc/oidc-provider.host.js')).OidcProviderHost).refresh();
    const after = (await (await fetch(`${t.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(after.keys.length).toBe(keys.length + 2);
    const signing = states.filter((row) => row[3] === 'signing').map((row) => row[0]);
    expect(
      after.keys
        .slice(0, 2)
        .map((key) => key.kid)
        .sort(),
    ).toEqual(signing.sort());
  });

  it('logs the provider’s requests with their request id and route template, never a code, token or query', async () => {
    const user = await createActiveUser(t);
    const created = await clients('create', 'Logged', '--redirect-uri', TEST_REDIRECT_URI, '--first-party');
    const config = await relyingParty(t.issuer, {
      clientId: valueOf(created.out, 'client_id')!,
      clientSecret: valueOf(created.out, 'client_secret')!,
      registration: { token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
    } as Parameters<typeof relyingParty>[1]);
    noteSecret(valueOf(created.out, 'client_secret'));
    const mark = outputMark();
    const { tokens, walk } = await signIn(config, { email: user.email, password: user.password });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = logRecordsSince(mark).filter(
      (record) => typeof record.route === 'string' && String(record.route).startsWith('/one_auth/oidc'),
    );
    const routes = new Set(lines.map((record) => record.route));
    for (const route of [
      '/one_auth/oidc/auth',
      '/one_auth/oidc/interaction/:uid',
      '/one_auth/oidc/interaction/:uid/login',
      '/one_auth/oidc/auth/:uid',
      '/one_auth/oidc/token',
    ]) {
      expect(routes, route).toContain(route);
    }
    for (const record of lines) expect(record.reqId).toEqual(expect.any(String));
    const text = JSON.stringify(logRecordsSince(startMark));
    for (const secret of [tokens.access_token, tokens.id_token!, walk.callback.searchParams.get('code')!, user.password])
      expect(text).not.toContain(secret);
  });
});
