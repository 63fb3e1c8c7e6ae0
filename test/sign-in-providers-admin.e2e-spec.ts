import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRemoval } from '../src/identities/provider-removal.service.js';
import { runProvidersCommand } from '../src/sign-in-providers/providers-command.js';
import { SignInProvidersService } from '../src/sign-in-providers/sign-in-providers.service.js';
import { createKey } from './helpers/api-keys.js';
import { noteSecret } from './helpers/secrets.js';
import { callbackUri, exchange, RETURN_TO, signInWith } from './helpers/social-sign-in.js';
import { startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';
import { UpstreamProvider } from './helpers/upstream-provider.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { userId } from './helpers/webhook-rows.js';

const PROVIDERS = '/one_auth/admin/api/providers';
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const id = (label: string) => `${label}-${randomUUID().slice(0, 6)}`;

/**
 * Operators add and remove sign-in providers with `npm run providers` and
 * the admin API (scopes providers:read, providers:write, every change
 * audited); the client secret is kept sealed and never shown again.
 */
describe('sign-in providers for operators', () => {
  const hooks = new WebhookReceiver(WEBHOOK_SECRET);
  const folder = mkdtempSync(join(tmpdir(), 'one_auth-providers-'));
  let t: TestApp;
  let upstream: UpstreamProvider;
  let reader: { name: string; key: string };
  let writer: { name: string; key: string };
  const google = id('google');

  /** `providers …` as the CLI runs it, on the app's own services; `stdin` is what standard input holds. */
  async function providers(args: string[], stdin = '') {
    const out: string[] = [];
    const err: string[] = [];
    const service = t.app.get(SignInProvidersService);
    const status = await runProvidersCommand(
      args,
      {
        add: (input) => service.add(input),
        list: () => service.list(),
        remove: (providerId) => t.app.get(ProviderRemoval).remove(providerId, { address: '', userAgent: 'test' }),
        readFile: (path) => readFile(path, 'utf8'),
        readStdin: async () => stdin,
      },
      { out: (line) => out.push(line), err: (line) => err.push(line) },
    );
    return { status, out, err };
  }

  beforeAll(async () => {
    await hooks.start();
    upstream = await UpstreamProvider.start([callbackUri(google)]);
    noteSecret(upstream.client.clientSecret);
    t = await startTestApp({ SOCIAL_RETURN_URLS: RETURN_TO, WEBHOOK_URL: hooks.url, WEBHOOK_SECRET });
    reader = await createKey(t.app, 'providers:read');
    writer = await createKey(t.app, 'providers:write');
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.stop();
    await hooks.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  describe('npm run providers', () => {
    it('adds a provider with its secret from a file, lists it without the secret, and removes it', async () => {
      const file = join(folder, 'secret');
      writeFileSync(file, `${upstream.client.clientSecret}\n`);
      const added = await providers([
        'add',
        google,
        '--issuer',
        upstream.issuer,
        '--client-id',
        upstream.client.clientId,
        '--client-secret-file',
        file,
        '--name',
        'Google',
        '--trust-email',
      ]);
      expect(added.status, added.err.join('\n')).toBe(0);
      expect(added.err.join('\n')).toContain(`PUBLIC_URL/one_auth/api/sign_in/${google}/callback`);
      const listed = await providers(['list']);
      expect(listed.out[0]).toBe('id\tkind\tname\tissuer\tclient_id\ttrust_email\tcreated_at');
      expect(listed.out).toContainEqual(
        expect.stringMatching(new RegExp(`^${google}\toidc\tGoogle\t${upstream.issuer}\t${upstream.client.clientId}\ttrue\t`)),
      );
      expect(listed.out.join('\n')).not.toContain(upstream.client.clientSecret);
      // Sealed in the database: the secret itself is nowhere in the row.
      const rows = (await t.dataSource.query('SELECT * FROM sign_in_providers WHERE slug = ?', [google])) as Record<string, unknown>[];
      expect(JSON.stringify(rows)).not.toContain(upstream.client.clientSecret);
      // The file's line break is not part of the secret: signing in works.
      const sub = randomUUID();
      upstream.users.set(sub, { email: uniqueEmail('cli'), email_verified: true });
      await exchange(t, (await signInWith(t, upstream, google, sub)).loginCode!).expect(200);
    });

    it('takes the secret from standard input, and refuses a taken id, a bad issuer and a secret given twice or not at all', async () => {
      const viaStdin = id('stdin');
      const args = ['add', viaStdin, '--issuer', 'https://gitlab.example.com', '--client-id', 'abc', '--client-secret', '-'];
      expect((await providers(args, 'from-stdin\n')).status).toBe(0);
      const again = await providers(args, 'from-stdin\n');
      expect(again.status).toBe(1);
      expect(again.err.join('\n')).toContain(`a provider with the id "${viaStdin}" exists already`);
      const badIssuer = await providers([
        'add',
        id('bad'),
        '--issuer',
        'http://gitlab.example.com',
        '--client-id',
        'a',
        '--client-secret',
        'b',
      ]);
      expect(badIssuer.status).toBe(1);
      expect(badIssuer.err.join('\n')).toMatch(/issuer must be an https URL/);
      const twice = await providers([
        'add',
        id('twice'),
        '--issuer',
        'https://x.example',
        '--client-id',
        'a',
        '--client-secret',
        'b',
        '--client-secret-file',
        'f',
      ]);
      expect(twice.status).toBe(2);
      expect((await providers(['add', id('none'), '--issuer', 'https://x.example', '--client-id', 'a'])).status).toBe(2);
      expect(
        (await providers(['add', 'Not Valid', '--issuer', 'https://x.example', '--client-id', 'a', '--client-secret', 'b'])).status,
      ).toBe(1);
      const help = await providers([]);
      expect(help.status).toBe(2);
      expect(help.err.join('\n')).toContain('--client-secret-file PATH reads it from a file, --client-secret - from standard input');
      expect((await providers(['remove', viaStdin])).status).toBe(0);
      expect((await providers(['remove', viaStdin])).status).toBe(1);
    });

    it('adds GitHub with its own defaults', async () => {
      const gh = id('github');
      expect((await providers(['add', gh, '--kind', 'github', '--client-id', 'Iv1.x', '--client-secret', 's3cr3t-value'])).status).toBe(0);
      const listed = await providers(['list']);
      expect(listed.out).toContainEqual(expect.stringMatching(new RegExp(`^${gh}\tgithub\tGitHub\thttps://github.com\tIv1.x\tfalse\t`)));
      expect((await providers(['remove', gh])).status).toBe(0);
    });
  });

  describe('the admin API', () => {
    const body = (providerId: string) => ({
      id: providerId,
      issuer: upstream.issuer,
      client_id: upstream.client.clientId,
      client_secret: upstream.client.clientSecret,
      trust_email: true,
    });

    it('lists with providers:read, changes with providers:write, and refuses a key without the scope', async () => {
      const listed = await t.http.get(PROVIDERS).set('Authorization', `Bearer ${reader.key}`).expect(200);
      expect(listed.body.providers).toContainEqual({
        id: google,
        name: 'Google',
        kind: 'oidc',
        issuer: upstream.issuer,
        client_id: upstream.client.clientId,
        trust_email: true,
        created_at: expect.any(String),
      });
      expect(JSON.stringify(listed.body)).not.toContain(upstream.client.clientSecret);
      await t.http.get(PROVIDERS).set('Authorization', `Bearer ${writer.key}`).expect(403, { message: 'Not allowed' });
      await t.http
        .post(PROVIDERS)
        .set('Authorization', `Bearer ${reader.key}`)
        .send(body(id('x')))
        .expect(403);
      await t.http.get(PROVIDERS).expect(401);
      const users = await createKey(t.app, 'users:read,users:write');
      await t.http.delete(`${PROVIDERS}/${google}`).set('Authorization', `Bearer ${users.key}`).expect(403);
    });

    it('adds (201, the secret never answered), refuses a taken id (409) and bad input (400 naming the field)', async () => {
      const added = id('okta');
      const created = await t.http.post(PROVIDERS).set('Authorization', `Bearer ${writer.key}`).send(body(added)).expect(201);
      expect(created.body).toEqual({
        id: added,
        name: added.charAt(0).toUpperCase() + added.slice(1),
        kind: 'oidc',
        issuer: upstream.issuer,
        client_id: upstream.client.clientId,
        trust_email: true,
        created_at: expect.any(String),
      });
      await t.http
        .post(PROVIDERS)
        .set('Authorization', `Bearer ${writer.key}`)
        .send(body(added))
        .expect(409, { message: 'Provider already exists' });
      const bad = await t.http
        .post(PROVIDERS)
        .set('Authorization', `Bearer ${writer.key}`)
        .send({ ...body(id('bad')), issuer: 'ftp://nowhere' })
        .expect(400);
      expect(bad.body.errors).toEqual([{ field: 'issuer', message: expect.stringMatching(/^issuer must be an https URL/) }]);
      const missing = await t.http
        .post(PROVIDERS)
        .set('Authorization', `Bearer ${writer.key}`)
        .send({ id: id('m') })
        .expect(400);
      expect(missing.body.message).toBe('client_id is required');
      await t.http
        .post(PROVIDERS)
        .set('Authorization', `Bearer ${writer.key}`)
        .send({ ...body(id('k')), kind: 'saml' })
        .expect(400);
      await t.http
        .delete(`${PROVIDERS}/${added}`)
        .set('Authorization', `Bearer ${writer.key}`)
        .expect(200, { message: 'Provider removed' });
      await t.http
        .delete(`${PROVIDERS}/${added}`)
        .set('Authorization', `Bearer ${writer.key}`)
        .expect(404, { message: 'Provider not found' });
    });

    it('removes a provider with the identities linked through it, each account told; audited', async () => {
      const removed = id('acme');
      await t.http.post(PROVIDERS).set('Authorization', `Bearer ${writer.key}`).send(body(removed)).expect(201);
      // An identity linked through `google`, whose removal follows the addition of `removed` in the audit log.
      const sub = randomUUID();
      const email = uniqueEmail('removed');
      upstream.users.set(sub, { email, email_verified: true });
      const token = (await exchange(t, (await signInWith(t, upstream, google, sub)).loginCode!).expect(200)).body.access_token as string;
      await t.http.delete(`${PROVIDERS}/${google}`).set('Authorization', `Bearer ${writer.key}`).expect(200);
      await t.http.get(`/one_auth/api/sign_in/${google}`).query({ return_to: RETURN_TO }).expect(404);
      const identities = await t.http.get('/one_auth/api/user/identities').set('Authorization', `Bearer ${token}`).expect(200);
      expect(identities.body.identities).toEqual([]);
      const events = await t.http.get('/one_auth/api/user/events').set('Authorization', `Bearer ${token}`).expect(200);
      expect((events.body.events as { type: string }[])[0].type).toBe('identity_unlinked');
      const account = await userId(t, email);
      await hooks.waitFor(() => hooks.eventsOf(account).some((hook) => hook.body.type === 'identity.unlinked'));
      expect(hooks.eventsOf(account).find((hook) => hook.body.type === 'identity.unlinked')!.body.data).toMatchObject({
        provider: google,
        reason: 'provider_removed',
      });
      const audit = await createKey(t.app, 'users:read');
      const entries = await t.http.get('/one_auth/admin/api/audit').set('Authorization', `Bearer ${audit.key}`).expect(200);
      const [latest, before] = entries.body.entries as Record<string, unknown>[];
      expect(latest).toMatchObject({ key_name: writer.name, action: 'provider.removed', user_id: null, email: '', provider: google });
      expect(before).toMatchObject({ action: 'provider.added', provider: removed, user_id: null });
      await t.http.delete(`${PROVIDERS}/${removed}`).set('Authorization', `Bearer ${writer.key}`).expect(200);
    });
  });
});
