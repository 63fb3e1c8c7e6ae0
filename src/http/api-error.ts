import { HttpException, HttpStatus } from '@nestjs/common';
import { TOO_MANY_REQUESTS_MESSAGE } from '../rate-limit/limit-messages.js';

export interface FieldError {
  field: string;
  message: string;
}

/** The one error body of the API: `{message}`, and for a 400 optionally `errors`. */
export interface ErrorBody {
  message: string;
  errors?: FieldError[];
}

/** 429 that tells the client when to come back (`Retry-After`, in seconds). */
export class TooManyRequestsError extends HttpException {
  constructor(
    readonly retryAfterSeconds: number,
    message = TOO_MANY_REQUESTS_MESSAGE,
  ) {
    super({ message }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** 400 naming the offending fields; the first one is the message. */
export class InvalidFieldsError extends HttpException {
  constructor(errors: FieldError[]) {
    super({ message: errors[0]?.message ?? 'Invalid request', errors }, HttpStatus.BAD_REQUEST);
  }
}

/** 401 whose `WWW-Authenticate` names other schemes than the Basic one of the account API (API keys: Bearer). */
export class ChallengedUnauthorizedError extends HttpException {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super({ message }, HttpStatus.UNAUTHORIZED);
  }
}

/**
 * 401 that tells the client how to go on (a right password whose login
 * needs its second step): `details` go in the body beside the message.
 */
export class UnauthorizedChallenge extends HttpException {
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super({ message }, HttpStatus.UNAUTHORIZED);
  }
}
