import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { BASIC_SCHEME, BEARER_SCHEME } from './auth/auth.decorators.js';

const DESCRIPTION = `Email-first identity service.

1. \`POST /one_auth/api/user\` with your email: a 6-digit code is mailed.
2. \`PUT /one_auth/api/user\` with email, code and a password: the account is active and you get a token.
3. \`GET /one_auth/api/access_tokens\` with Basic \`email:password\` logs in on another device.
4. Everything else takes Basic \`email:token\` (or \`Bearer token\`): use **Authorize** and put the token in the password field.

Every error is \`{"message": "..."}\`.`;

/** Swagger UI at /one_auth/docs, the OpenAPI 3 document at /one_auth/docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('one_auth')
      .setDescription(DESCRIPTION)
      .setVersion('1.0')
      .addBasicAuth({ type: 'http', scheme: 'basic', description: 'email:password to log in, email:token for the rest' }, BASIC_SCHEME)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'An access token' }, BEARER_SCHEME)
      .build(),
  );
  SwaggerModule.setup('one_auth/docs', app, document, {
    jsonDocumentUrl: 'one_auth/docs-json',
    yamlDocumentUrl: 'one_auth/docs-yaml',
    customSiteTitle: 'one_auth API',
  });
}
