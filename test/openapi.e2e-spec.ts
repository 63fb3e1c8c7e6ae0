import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstDocument, type RecordedResponse } from './helpers/contract.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

interface Response {
  description: string;
  headers?: Record<string, { required?: boolean; schema?: unknown }>;
  content?: Record<string, { schema?: { $ref?: string; anyOf?: { $ref?: string }[] }; examples?: Record<string, { value: unknown }> }>;
}
interface Operation {
  security?: unknown[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, Response>;
}
type Document = {
  servers: { url: string }[];
  info: { license?: { name: string; url?: string } };
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
};

// The only operations that answer without the database: the probe of the process, image bytes
// from their store, the code request answered before any lookup, metrics that skip what fails.
const WITHOUT_DATABASE = [
  'GET /one_auth/health/live',
  'GET /one_auth/images/{name}',
  'POST /one_auth/api/validation_code',
  'GET /one_auth/metrics',
];

describe('the published OpenAPI document (endpoint 14)', () => {
  let t: TestApp;
  let doc: Document;
  let operations: Array<[string, Operation]>;
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/one_auth/docs-json').expect(200)).body;
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('names the server by PUBLIC_URL, a license, and tags that say what they group', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://one-auth.test' })]);
    expect(doc.info.license).toEqual({ name: 'MIT', url: expect.stringMatching(/^https:\/\//) });
    const used = new Set(operations.flatMap(([, operation]) => (operation as { tags?: string[] }).tags ?? []));
    expect(doc.tags.map((tag) => tag.name).sort()).toEqual([...used].sort());
    for (const tag of doc.tags) expect(tag.description, tag.name).toMatch(/\w{3,}/);
  });

  it('marks public operations with security: [] and the others with Basic (and Bearer for tokens)', () => {
    const publicOnes = operations.filter(([, operation]) => operation.security?.length === 0).map(([name]) => name);
    expect(publicOnes.sort()).toEqual(
      [
        'POST /one_auth/api/user',
        'PUT /one_auth/api/user',
        'PUT /one_auth/api/validation_code',
        'POST /one_auth/api/validation_code',
        'POST /one_auth/api/access_tokens/second_factor',
        'GET /one_auth/images/{name}',
        'GET /one_auth/health/live',
        'GET /one_auth/health/ready',
        'POST /one_auth/api/passkeys/authentication/options',
        'POST /one_auth/api/access_tokens/passkey',
        'GET /one_auth/api/providers',
        'GET /one_auth/api/sign_in/{provider}',
        'GET /one_auth/api/sign_in/{provider}/callback',
        'POST /one_auth/api/access_tokens/login_code',
      ].sort(),
    );
    for (const [name, operation] of operations) expect(operation.security, name).toBeDefined();
  });

  it('declares 400, 413 and 415 with the service’s messages on every JSON-body operation', () => {
    const withJson = operations.filter(([, operation]) => operation.requestBody?.content['application/json']);
    expect(withJson.length).toBeGreaterThanOrEqual(5);
    for (const [name, operation] of withJson) {
      expect(Object.keys(operation.responses), name).toEqual(expect.arrayContaining(['400', '413', '415']));
      expect(exampleMessages(operation.responses['400']), name).toContain('Malformed JSON body');
      expect(exampleMessages(operation.responses['413']), name).toEqual(['Payload too large']);
      expect(exampleMessages(operation.responses['415']), name).toEqual(['Unsupported media type, please use json type']);
    }
  });

  it('declares 401 with the WWW-Authenticate header wherever credentials are checked', () => {
    for (const [name, operation] of operations.filter(([, operation]) => operation.security?.length)) {
      const unauthorized = operation.responses['401'];
      expect(unauthorized, name).toBeDefined();
      expect(unauthorized.headers?.['WWW-Authenticate']?.required, name).toBe(true);
      expect(exampleMessages(unauthorized)[0], name).toMatch(/ is not correct$/);
    }
  });

  it('declares 429 with Retry-After where a limit applies, and 503 wherever the database is used', () => {
    for (const name of [
      'POST /one_auth/api/user',
      'PUT /one_auth/api/user',
      'PUT /one_auth/api/validation_code',
      'GET /one_auth/api/access_tokens',
    ]) {
      const operation = operations.find(([key]) => key === name)?.[1];
      expect(operation?.responses['429']?.headers?.['Retry-After']?.required, name).toBe(true);
    }
    for (const [name, operation] of operations) {
      if (WITHOUT_DATABASE.includes(name)) continue;
      expect(operation.responses['503'], name).toBeDefined();
    }
  });

  it('gives every answer a content type, a schema and an example, JSON for every error', () => {
    // Answers that carry the first step of a login: the error body, or how to finish (mfa_token, methods).
    const loginSteps = ['GET /one_auth/api/access_tokens', 'POST /one_auth/api/access_tokens/login_code'];
    for (const [name, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        // A redirect (sign-in with another provider) has a Location and no body: what it carries is in the URL.
        if (status === '302') {
          expect(response.content, `${name} ${status}`).toBeUndefined();
          expect(response.headers?.Location?.required, `${name} ${status}`).toBe(true);
          continue;
        }
        const content = Object.entries(response.content ?? {});
        expect(content.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const [type, media] of content) {
          expect(media.schema, `${name} ${status} ${type}`).toBeDefined();
          if (Number(status) >= 400) {
            expect(type, `${name} ${status}`).toBe('application/json');
            // A login that needs its second step answers the error body plus how to finish (mfa_token, methods).
            const schema =
              loginSteps.includes(name) && status === '401' ? media.schema?.anyOf?.map((option) => option.$ref) : media.schema?.$ref;
            expect(schema, `${name} ${status}`).toEqual(
              loginSteps.includes(name) && status === '401'
                ? ['#/components/schemas/ErrorResponseDto', '#/components/schemas/SecondFactorRequiredDto']
                : '#/components/schemas/ErrorResponseDto',
            );
            expect(Object.keys(media.examples ?? {}).length, `${name} ${status}`).toBeGreaterThan(0);
          }
        }
      }
    }
    const image = doc.paths['/one_auth/images/{name}'].get.responses;
    expect(Object.keys(image['200'].content ?? {}).sort()).toEqual(['image/gif', 'image/jpeg', 'image/png', 'image/webp']);
    expect(doc.paths['/one_auth/health/ready'].get.responses['200'].content?.['application/json'].schema?.$ref).toBe(
      '#/components/schemas/ReadyDto',
    );
  });
});

describe('the contract check finds each kind of difference', () => {
  let t: TestApp;
  let doc: unknown;
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/one_auth/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
  });

  const json = 'application/json; charset=utf-8';
  function made(method: string, path: string, status: number, body: unknown, headers: Record<string, string> = { 'content-type': json }) {
    const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return { method, path, status, headers, body: bytes, length: bytes.length } satisfies RecordedResponse;
  }

  it('passes answers as documented', async () => {
    const problems = await checkAgainstDocument(
      doc,
      [
        made('POST', '/one_auth/api/user', 201, { email: 'a@b.co', status: 'deactived' }),
        made(
          'GET',
          '/one_auth/api/validations',
          401,
          { message: 'Email or token is not correct' },
          {
            'content-type': json,
            'www-authenticate': 'Basic realm="one_auth", charset="UTF-8"',
          },
        ),
        made('GET', '/one_auth/nothing', 404, { message: 'Not found' }),
      ],
      { coverage: false },
    );
    expect(problems).toEqual([]);
  });

  it.each([
    ['an undeclared status', made('POST', '/one_auth/api/user', 409, { message: 'Conflict' }), /status 409 is not declared/],
    [
      'another media type',
      made('GET', '/one_auth/images/x.png', 404, 'Not found', { 'content-type': 'text/plain' }),
      /Content-Type text\/plain is not one of application\/json/,
    ],
    ['a body off its schema', made('POST', '/one_auth/api/user', 201, { email: 'a@b.co' }), /must have required property 'status'/],
    [
      'a field the document does not name',
      made('GET', '/one_auth/health/live', 200, { status: 'ok', secret: 'x' }),
      /must NOT have additional properties/,
    ],
    [
      'a 401 without its challenge',
      made('GET', '/one_auth/api/validations', 401, { message: 'Email or token is not correct' }),
      /WWW-Authenticate header is missing/,
    ],
    [
      'a path outside the document that is not a JSON 404',
      made('GET', '/one_auth/nothing', 200, { ok: true }),
      /no operation in the document/,
    ],
  ])('reports %s', async (_kind, response, finding) => {
    const problems = await checkAgainstDocument(doc, [response], { coverage: false });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(finding);
  });
});

function exampleMessages(response: Response | undefined): unknown[] {
  const examples = response?.content?.['application/json']?.examples ?? {};
  return Object.values(examples).map((example) => (example.value as { message?: unknown }).message);
}
