import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type HeadersObject } from '@nestjs/swagger';
import type { ErrorBody } from '../http/api-error.js';
import { JSON_ONLY_MESSAGE, MALFORMED_JSON_MESSAGE } from '../http/body-type.js';
import { ErrorResponseDto } from '../http/message.dto.js';
import { DEFAULT_MESSAGES, WWW_AUTHENTICATE } from '../http/error-response.js';

/*
 * The error answers of the API, declared the way the service gives them:
 * `{message}` as application/json, with an example for each distinct body,
 * and the headers that come with them. Several declarations of one status on
 * an operation merge their examples, so an operation can add its own 400 to
 * the generic ones of `ApiJsonBodyErrors()`.
 */

/** An example per message: `{ "Invalid code": "Invalid code" }` style names keep them readable in Swagger UI. */
function examplesOf(bodies: Array<string | ErrorBody>) {
  return Object.fromEntries(
    bodies.map((body) => {
      const value = typeof body === 'string' ? { message: body } : body;
      return [value.message, { summary: value.message, value }];
    }),
  );
}

/** Any error answer: the status, what it means, and every body it can carry. */
export function ApiErrorResponse(
  status: number,
  description: string,
  bodies: Array<string | ErrorBody>,
  headers?: HeadersObject,
): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, type: ErrorResponseDto, examples: examplesOf(bodies), ...(headers ? { headers } : {}) });
}

/**
 * What every operation that takes a JSON body can answer before its handler
 * runs: 400 for broken JSON or an invalid field, 413 past MAX_JSON_BYTES, 415
 * for any other media type. `invalid` is this operation's typical field error.
 */
export function ApiJsonBodyErrors(invalid: { field: string; message: string }): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiErrorResponse(400, 'Malformed JSON, or a missing or invalid field (each one in `errors`)', [
      MALFORMED_JSON_MESSAGE,
      { message: invalid.message, errors: [invalid] },
    ]),
    ApiErrorResponse(413, 'The body is larger than the configured limit', [DEFAULT_MESSAGES[413]]),
    ApiErrorResponse(415, 'The body is not application/json', [JSON_ONLY_MESSAGE]),
  );
}

/** 429 with `Retry-After`: a limit of the service applies to this operation. */
export function ApiRateLimited(description: string, message: string): MethodDecorator & ClassDecorator {
  return ApiErrorResponse(429, description, [message], {
    'Retry-After': {
      description: 'Seconds to wait before trying again',
      required: true,
      schema: { type: 'integer', minimum: 1, example: 60 },
    },
  });
}

/** 503 when the database does not answer: every operation that reads or writes it. */
export function ApiDatabaseUnavailable(): MethodDecorator & ClassDecorator {
  return ApiErrorResponse(503, 'The database is unavailable; retry later', [DEFAULT_MESSAGES[503]]);
}

/** 401 with the `WWW-Authenticate` challenge every 401 of the service carries. */
export function ApiUnauthorized(...messages: string[]): MethodDecorator & ClassDecorator {
  return ApiErrorResponse(401, 'Missing, malformed or wrong credentials', messages, {
    'WWW-Authenticate': { description: 'The Basic challenge', required: true, schema: { type: 'string', example: WWW_AUTHENTICATE } },
  });
}
