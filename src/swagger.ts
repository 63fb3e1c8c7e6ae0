import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_BASIC_SCHEME, API_KEY_SCHEME } from './api-keys/api-key-auth.js';
import { BASIC_SCHEME, BEARER_SCHEME } from './auth/auth.decorators.js';
import { ErrorResponseDto } from './http/message.dto.js';
import { DEFAULT_MESSAGES } from './http/error-response.js';
import { API_TAGS } from './openapi/api-tags.js';

const DESCRIPTION = `Email-first identity service.

1. \`POST /one_auth/api/user\` with your email: a 6-digit code is mailed.
2. \`PUT /one_auth/api/user\` with email, code and a password: the account is active and you get a token.
3. \`GET /one_auth/api/access_tokens\` with Basic \`email:password\` logs in on another device. With two-step login on, it answers 401 \`Second factor required\` with an \`mfa_token\`: finish with \`POST /one_auth/api/access_tokens/second_factor\` and a code from the authenticator app.
4. Everything else takes Basic \`email:token\` (or \`Bearer token\`): use **Authorize** and put the token in the password field.

Operators use \`/one_auth/admin/api\` and relying services \`POST /one_auth/api/introspect\` with an API key made by
\`npm run keys -- create NAME --scopes …\` (**Authorize**: \`api_key\`).

Every error is \`{"message": "..."}\`.`;

const published = new WeakMap<INestApplication, OpenAPIObject>();

/** Swagger UI at /one_auth/docs, the OpenAPI 3 document at /one_auth/docs-json. */
export function setupSwagger(app: INestApplication, publicUrl: string): void {
  const document = buildOpenApiDocument(app, publicUrl);
  published.set(app, document);
  SwaggerModule.setup('one_auth/docs', app, document, {
    jsonDocumentUrl: 'one_auth/docs-json',
    yamlDocumentUrl: 'one_auth/docs-yaml',
    customSiteTitle: 'one_auth API',
  });
}

/** The document the app serves at /one_auth/docs-json (for tools that write it to a file). */
export function publishedOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = published.get(app);
  if (!document) throw new Error('The OpenAPI document is built by configureApp()');
  return document;
}

function buildOpenApiDocument(app: INestApplication, publicUrl: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('one_auth')
    .setDescription(DESCRIPTION)
    .setVersion('1.0')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer(publicUrl, 'This service (PUBLIC_URL)')
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'email:password to log in, email:token for the rest' }, BASIC_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'An access token' }, BEARER_SCHEME)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'oak_…',
        description: 'An API key made with `npm run keys -- create NAME --scopes …`',
      },
      API_KEY_SCHEME,
    )
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'key_name:key of an API key (introspection only)' }, API_KEY_BASIC_SCHEME);
  for (const [name, description] of Object.entries(API_TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ErrorResponseDto] });
  keepOpenApi30Methods(document);
  declareWhatEveryOperationShares(document);
  return document;
}

/** A route for every method (`@All()`) is documented with the methods OpenAPI 3.0 knows; `search` is not one. */
function keepOpenApi30Methods(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) delete (item as Record<string, unknown>).search;
}

/**
 * An operation without an auth decorator has no guard: it is public, and
 * says so with `security: []`. Any operation can fail unexpectedly: 500.
 */
function declareWhatEveryOperationShares(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.security ??= [];
      operation.responses['500'] ??= {
        description: 'An unexpected error (the X-Request-Id header identifies it in the logs)',
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/ErrorResponseDto' },
            examples: { [DEFAULT_MESSAGES[500]]: { summary: DEFAULT_MESSAGES[500], value: { message: DEFAULT_MESSAGES[500] } } },
          },
        },
      };
    }
  }
}
