import { BadRequestException, HttpException, UnauthorizedException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ChallengedUnauthorizedError, TooManyRequestsError, UnauthorizedChallenge } from './api-error.js';
import { toErrorResponse } from './error-response.js';

describe('toErrorResponse', () => {
  it('hides unknown errors behind a plain 500', () => {
    const result = toErrorResponse(new TypeError('secret internals at /srv/app.js:12'));
    expect(result).toMatchObject({ status: 500, body: { message: 'Internal server error' }, unexpected: true });
  });

  it('turns database outages into 503', () => {
    expect(toErrorResponse(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).status).toBe(503);
    expect(toErrorResponse({ message: 'x', driverError: { code: 'SQLITE_BUSY' } }).status).toBe(503);
  });

  it('adds the Basic challenge to every 401 and Retry-After to 429', () => {
    expect(toErrorResponse(new UnauthorizedException('Email or token is not correct'))).toMatchObject({
      status: 401,
      body: { message: 'Email or token is not correct' },
      headers: { 'WWW-Authenticate': 'Basic realm="one_auth", charset="UTF-8"' },
    });
    expect(toErrorResponse(new TooManyRequestsError(12.2)).headers['Retry-After']).toBe('13');
  });

  it('gives a 401 of the API keys their own challenge', () => {
    expect(toErrorResponse(new ChallengedUnauthorizedError('API key is not correct', 'Bearer realm="one_auth"'))).toMatchObject({
      status: 401,
      body: { message: 'API key is not correct' },
      headers: { 'WWW-Authenticate': 'Bearer realm="one_auth"' },
    });
  });

  it('puts the details of a challenge beside its message, with the Basic challenge', () => {
    const challenge = new UnauthorizedChallenge('Second factor required', { mfa_token: 'abc', methods: ['totp'] });
    expect(toErrorResponse(challenge)).toEqual({
      status: 401,
      body: { message: 'Second factor required', mfa_token: 'abc', methods: ['totp'] },
      headers: { 'WWW-Authenticate': 'Basic realm="one_auth", charset="UTF-8"' },
      unexpected: false,
    });
  });

  it('maps body parser failures, wrapped or not', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    expect(toErrorResponse(new BadRequestException('Unexpected token', { cause: parseError })).body).toEqual({
      message: 'Malformed JSON body',
    });
    expect(toErrorResponse(Object.assign(new Error('too large'), { type: 'entity.too.large' })).status).toBe(413);
    expect(toErrorResponse(Object.assign(new Error('too many fields'), { type: 'parameters.too.many' })).status).toBe(413);
  });

  it('never reveals the message of a 5xx HttpException', () => {
    expect(toErrorResponse(new HttpException('db password is hunter2', 500)).body).toEqual({ message: 'Internal server error' });
  });

  it('keeps field errors on 400', () => {
    const errors = [{ field: 'email', message: 'email is required' }];
    expect(toErrorResponse(new BadRequestException({ message: 'email is required', errors })).body).toEqual({
      message: 'email is required',
      errors,
    });
  });
});
