import { HttpException } from '@nestjs/common';
import { ChallengedUnauthorizedError, type ErrorBody, TooManyRequestsError, UnauthorizedChallenge } from './api-error.js';
import { isDatabaseUnavailable } from '../database/driver-errors.js';
import { TOO_MANY_REQUESTS_MESSAGE } from '../rate-limit/limit-messages.js';
import { MALFORMED_JSON_MESSAGE } from './body-type.js';

export const WWW_AUTHENTICATE = 'Basic realm="one_auth", charset="UTF-8"';

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True for failures of ours that deserve a log line (5xx other than outages). */
  unexpected: boolean;
}

export const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Payload too large',
  415: 'Unsupported media type, please use json type',
  422: 'Unprocessable entity',
  429: TOO_MANY_REQUESTS_MESSAGE,
  500: 'Internal server error',
  503: 'Service temporarily unavailable, please retry later',
};

// Errors raised by Express's JSON body parser before any route runs.
const BODY_PARSER_ERRORS: Record<string, ErrorResponse['status']> = {
  'entity.parse.failed': 400,
  'entity.too.large': 413,
  'encoding.unsupported': 415,
  'charset.unsupported': 415,
  'request.aborted': 400,
  'request.size.invalid': 400,
  // A form with more fields than body-parser takes (1000; the size limit comes first in practice).
  'parameters.too.many': 413,
};

/** Maps anything thrown during a request to the API's error shape. Never leaks internals. */
export function toErrorResponse(exception: unknown): ErrorResponse {
  // The platform wraps body-parser errors in an HttpException; look at the original.
  const status = bodyParserStatus(exception instanceof HttpException ? exception.cause : exception);
  if (!status && exception instanceof HttpException) return fromHttpException(exception);
  if (status) {
    const message = status === 400 ? MALFORMED_JSON_MESSAGE : DEFAULT_MESSAGES[status];
    return build(status, { message: message ?? DEFAULT_MESSAGES[500] });
  }
  if (isDatabaseUnavailable(exception)) return build(503, { message: DEFAULT_MESSAGES[503] });
  return { ...build(500, { message: DEFAULT_MESSAGES[500] }), unexpected: true };
}

function fromHttpException(exception: HttpException): ErrorResponse {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const body: ErrorBody = { message: DEFAULT_MESSAGES[status] ?? DEFAULT_MESSAGES[500] };
  if (typeof response === 'string') {
    body.message = response;
  } else if (response && typeof response === 'object') {
    const { message, errors } = response as { message?: unknown; errors?: unknown };
    if (typeof message === 'string') body.message = message;
    else if (Array.isArray(message) && typeof message[0] === 'string') body.message = message[0];
    if (Array.isArray(errors) && status === 400) body.errors = errors as ErrorBody['errors'];
  }
  // The router's 404 echoes the request line; answer plainly instead.
  if (status === 404 && body.message.startsWith('Cannot ')) body.message = DEFAULT_MESSAGES[404];
  if (status >= 500 && status !== 503) body.message = DEFAULT_MESSAGES[500];
  const result = build(status, exception instanceof UnauthorizedChallenge ? { ...body, ...exception.details } : body);
  if (exception instanceof ChallengedUnauthorizedError) result.headers['WWW-Authenticate'] = exception.challenge;
  if (exception instanceof TooManyRequestsError) {
    result.headers['Retry-After'] = String(Math.max(1, Math.ceil(exception.retryAfterSeconds)));
  }
  result.unexpected = status >= 500 && status !== 503;
  return result;
}

function build(status: number, body: ErrorBody): ErrorResponse {
  const headers: Record<string, string> = {};
  if (status === 401) headers['WWW-Authenticate'] = WWW_AUTHENTICATE;
  return { status, body, headers, unexpected: false };
}

function bodyParserStatus(exception: unknown): number | undefined {
  const { type } = (exception ?? {}) as { type?: unknown };
  return typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
}
