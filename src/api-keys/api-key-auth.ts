import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth } from '@nestjs/swagger';
import { ApiDatabaseUnavailable, ApiErrorResponse, ApiRateLimited } from '../openapi/api-responses.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import {
  API_KEY_REQUIREMENT,
  ApiKeyGuard,
  type ApiKeyRequirement,
  BAD_API_KEY_MESSAGE,
  BEARER_CHALLENGE,
  BEARER_OR_BASIC_CHALLENGE,
  NOT_ALLOWED_MESSAGE,
} from './api-key.guard.js';
import type { ApiKeyScope } from './api-key-scopes.js';

/** The OpenAPI security schemes of API keys. */
export const API_KEY_SCHEME = 'api_key';
export const API_KEY_BASIC_SCHEME = 'api_key_basic';

/**
 * Requires an API key with `scope` (Bearer; with `basic`, also Basic
 * `key_name:key`); the handler gets an ApiKeyPrincipal. Declares what the
 * check itself can answer: 401, 403, 429, 503.
 */
export function ApiKeyAuth(scope: ApiKeyScope, { basic = false } = {}): MethodDecorator {
  const requirement: ApiKeyRequirement = { scope, basic };
  const challenge = basic ? BEARER_OR_BASIC_CHALLENGE : BEARER_CHALLENGE;
  return applyDecorators(
    SetMetadata(API_KEY_REQUIREMENT, requirement),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(API_KEY_SCHEME),
    ...(basic ? [ApiBasicAuth(API_KEY_BASIC_SCHEME)] : []),
    ApiErrorResponse(401, 'Missing, unknown or revoked API key', [BAD_API_KEY_MESSAGE], {
      'WWW-Authenticate': {
        description: 'The challenge of the schemes accepted',
        required: true,
        schema: { type: 'string', example: challenge },
      },
    }),
    ApiErrorResponse(403, `The key lacks the scope ${scope}`, [NOT_ALLOWED_MESSAGE]),
    ApiRateLimited('Too many failed key checks from this client address (the login limit per address)', TOO_MANY_LOGINS_MESSAGE),
    ApiDatabaseUnavailable(),
  );
}
