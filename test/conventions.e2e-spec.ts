import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const USER = '/one_auth/api/user';

describe('conventions of every endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['text/plain', 'email=a@b.co'],
    ['application/x-www-form-urlencoded', 'email=a%40b.co'],
    ['application/xml', '<email>a@b.co</email>'],
  ])('answers 415 for a %s body', async (type, body) => {
    const response = await t.http.post(USER).set('Content-Type', type).send(body).expect(415);
    expect(response.body).toEqual({ message: 'Unsupported media type, please use json type' });
  });

  it('accepts application/json with a charset', async () => {
    await t.http
      .post(USER)
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ email: uniqueEmail() }))
      .expect(201);
  });

  it.each(['{bad', '{"email": "a@b.co"', '"just a string"', 'null'])('answers 400 "Malformed JSON body" for %s', async (body) => {
    const response = await t.http.post(USER).set('Content-Type', 'application/json').send(body).expect(400);
    expect(response.body).toEqual({ message: 'Malformed JSON body' });
  });

  it('answers 400 for a JSON array body', async () => {
    const response = await t.http.post(USER).set('Content-Type', 'application/json').send('[1,2]').expect(400);
    expect(response.body.message).toEqual(expect.any(String));
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await t.http
      .post(USER)
      .send({ email: uniqueEmail(), padding: 'x'.repeat(64 * 1024) })
      .expect(413);
    expect(response.body).toEqual({ message: 'Payload too large' });
  });

  it('answers 404 JSON for unknown routes, inside and outside the prefix', async () => {
    for (const path of ['/one_auth/api/nothing', '/one_auth/', '/elsewhere', '/']) {
      const response = await t.http.get(path).expect(404);
      expect(response.body).toEqual({ message: 'Not found' });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('answers 404 for a known path with another method', async () => {
    const response = await t.http.patch(USER).send({ email: uniqueEmail() }).expect(404);
    expect(response.body).toEqual({ message: 'Not found' });
  });

  it('echoes a client X-Request-Id and makes one otherwise', async () => {
    const echoed = await t.http.get('/one_auth/health/live').set('X-Request-Id', 'req-42.abc').expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-42.abc');
    const made = await t.http.get('/one_auth/health/live').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t.http.get('/one_auth/health/live').set('X-Request-Id', 'x'.repeat(500)).expect(200);
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not announce the framework', async () => {
    const response = await t.http.get('/one_auth/health/live').expect(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('serves liveness and readiness', async () => {
    expect((await t.http.get('/one_auth/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http.get('/one_auth/health/ready').expect(200)).body).toEqual({ status: 'ok', database: 'up' });
  });

  it('keeps 200 parallel registrations over 20 mixed-case addresses to 20 accounts and 20 mails, no 5xx', async () => {
    const emails = Array.from({ length: 20 }, () => uniqueEmail('burst'));
    const calls = Array.from({ length: 200 }, (_, i) => {
      const email = emails[i % 20];
      return t.http.post(USER).send({ email: i % 3 === 0 ? email.toUpperCase() : email });
    });
    const statuses = (await Promise.all(calls)).map((response) => response.status);
    expect(statuses.every((status) => status === 201)).toBe(true);
    for (const email of emails) await t.smtp.waitForCode(email);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const email of emails) expect(t.smtp.mailsTo(email)).toHaveLength(1);
    const [{ count }] = await t.dataSource.query(`SELECT COUNT(*) AS count FROM users WHERE email LIKE 'burst-%'`);
    expect(Number(count)).toBeGreaterThanOrEqual(20);
  });
});

describe('API documentation (endpoint 14)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves Swagger UI at /one_auth/docs', async () => {
    const response = await t.http.get('/one_auth/docs').redirects(1).expect(200);
    expect(response.text).toContain('swagger-ui');
  });

  it('describes every endpoint in OpenAPI 3 with the Basic scheme, schemas and examples', async () => {
    const { body: doc } = await t.http.get('/one_auth/docs-json').expect(200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.basic).toEqual(expect.objectContaining({ type: 'http', scheme: 'basic' }));
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /one_auth/api/user',
        'PUT /one_auth/api/validation_code',
        'PUT /one_auth/api/user',
        'GET /one_auth/api/access_tokens',
        'POST /one_auth/api/images',
        'PUT /one_auth/api/user/profile',
        'DELETE /one_auth/api/access_tokens',
        ...['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'].map((method) => `${method} /one_auth/api/validations`),
        'POST /one_auth/api/validation_code',
        'GET /one_auth/api/user/profile',
        'GET /one_auth/images/{name}',
        'GET /one_auth/health/live',
        'GET /one_auth/health/ready',
        'GET /one_auth/api/sessions',
        'DELETE /one_auth/api/sessions/{id}',
        'PUT /one_auth/api/user/password',
        'POST /one_auth/api/user/email',
        'PUT /one_auth/api/user/email',
        'DELETE /one_auth/api/user',
        'GET /one_auth/api/user/export',
        'GET /one_auth/api/user/events',
        'POST /one_auth/api/access_tokens/second_factor',
        'POST /one_auth/api/user/totp',
        'PUT /one_auth/api/user/totp',
        'DELETE /one_auth/api/user/totp',
        'POST /one_auth/api/user/recovery_codes',
        'GET /one_auth/metrics',
        'POST /one_auth/api/introspect',
        'GET /one_auth/admin/api/users',
        'GET /one_auth/admin/api/users/{id}',
        'PUT /one_auth/admin/api/users/{id}/status',
        'DELETE /one_auth/admin/api/users/{id}/sessions',
        'DELETE /one_auth/admin/api/users/{id}/second_factor',
        'POST /one_auth/admin/api/users/{id}/password_reset',
        'DELETE /one_auth/admin/api/users/{id}',
        'GET /one_auth/admin/api/audit',
        'POST /one_auth/api/passkeys/registration/options',
        'POST /one_auth/api/passkeys',
        'GET /one_auth/api/passkeys',
        'DELETE /one_auth/api/passkeys/{id}',
        'POST /one_auth/api/passkeys/authentication/options',
        'POST /one_auth/api/access_tokens/passkey',
        'GET /one_auth/api/providers',
        'GET /one_auth/api/sign_in/{provider}',
        'GET /one_auth/api/sign_in/{provider}/callback',
        'POST /one_auth/api/access_tokens/login_code',
        'GET /one_auth/api/user/identities',
        'POST /one_auth/api/user/identities/{id}',
        'DELETE /one_auth/api/user/identities/{id}',
        'GET /one_auth/admin/api/providers',
        'POST /one_auth/admin/api/providers',
        'DELETE /one_auth/admin/api/providers/{id}',
        'GET /one_auth/api/user/apps',
        'DELETE /one_auth/api/user/apps/{client_id}',
        'GET /one_auth/admin/api/clients',
        'POST /one_auth/admin/api/clients',
        'GET /one_auth/admin/api/clients/{client_id}',
        'PATCH /one_auth/admin/api/clients/{client_id}',
        'DELETE /one_auth/admin/api/clients/{client_id}',
        'POST /one_auth/admin/api/clients/{client_id}/secret',
      ].sort(),
    );
    const documented = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    // Besides these, every operation declares 500 and, where the database is used, 503; JSON bodies 413 and 415.
    expect(documented('/one_auth/api/sessions/{id}', 'delete')).toEqual(expect.arrayContaining(['200', '401', '404']));
    expect(documented('/one_auth/api/user/password', 'put')).toEqual(expect.arrayContaining(['200', '400', '401', '422', '429']));
    expect(documented('/one_auth/api/user/email', 'post')).toEqual(expect.arrayContaining(['202', '400', '401', '422', '429']));
    expect(documented('/one_auth/api/user/email', 'put')).toEqual(expect.arrayContaining(['200', '400', '401', '422', '429']));
    expect(documented('/one_auth/api/user', 'delete')).toEqual(expect.arrayContaining(['200', '401', '422', '429']));
    expect(documented('/one_auth/api/access_tokens/second_factor', 'post')).toEqual(
      expect.arrayContaining(['200', '400', '401', '422', '429']),
    );
    for (const method of ['post', 'put', 'delete']) {
      expect(documented('/one_auth/api/user/totp', method)).toEqual(expect.arrayContaining(['200', '400', '401', '409', '422', '429']));
    }
    expect(documented('/one_auth/admin/api/users/{id}/status', 'put')).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '429']),
    );
    expect(doc.paths['/one_auth/admin/api/users'].get.security).toEqual([{ api_key: [] }]);
    expect(doc.paths['/one_auth/api/introspect'].post.security).toEqual([{ api_key: [] }, { api_key_basic: [] }]);
    expect(Object.keys(doc.paths['/one_auth/api/introspect'].post.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(documented('/one_auth/api/passkeys', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '409', '422']));
    // Adding a passkey takes the password (and a code) again, or a recent sign-in: its body and refusals are documented.
    const passkeyOptions = doc.paths['/one_auth/api/passkeys/registration/options'].post;
    expect(Object.keys(passkeyOptions.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '409', '422', '429']));
    expect(passkeyOptions.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/PasskeyRegistrationOptionsRequestDto',
    );
    expect(Object.keys(passkeyOptions.requestBody.content['application/json'].examples)).toHaveLength(3);
    expect(passkeyOptions.responses['403'].content['application/json'].examples).toEqual({
      'Sign in again to add a passkey': { summary: 'Sign in again to add a passkey', value: { message: 'Sign in again to add a passkey' } },
    });
    expect(Object.keys(doc.components.schemas.PasskeyRegistrationOptionsRequestDto.properties).sort()).toEqual(['code', 'password']);
    expect(documented('/one_auth/api/passkeys/{id}', 'delete')).toEqual(expect.arrayContaining(['200', '401', '404']));
    expect(documented('/one_auth/api/access_tokens/passkey', 'post')).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
    expect(doc.components.schemas.ChangePasswordDto.properties.new_password.example).toEqual(expect.any(String));
    expect(doc.components.schemas.AccountExportDto.properties.events.type).toBe('array');
    const login = doc.paths['/one_auth/api/access_tokens'].get;
    expect(login.security).toContainEqual({ basic: [] });
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '401']));
    const register = doc.paths['/one_auth/api/user'].post;
    expect(register.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/RegisterDto');
    expect(doc.components.schemas.RegisterDto.properties.email.example).toEqual(expect.any(String));
    expect(doc.components.schemas.UpdateProfileDto.properties.avatar.example).toEqual(expect.any(String));
    expect(doc.paths['/one_auth/api/images'].post.requestBody.content['multipart/form-data']).toBeDefined();
  });
});
