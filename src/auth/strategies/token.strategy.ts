import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AccessTokensService } from '../access-tokens.service.js';
import type { Credentials } from '../authorization-header.js';
import { verifyTokenCredentials } from '../token-credentials.js';
import { RfcTokenStrategy } from './rfc-token.strategy.js';

export const TOKEN_STRATEGY = 'basic-token';

/** `Basic email:token` or `Bearer token`, for everything after login. */
@Injectable()
export class TokenStrategy extends PassportStrategy(RfcTokenStrategy, TOKEN_STRATEGY) {
  constructor(private readonly tokens: AccessTokensService) {
    super();
  }

  validate(credentials: Credentials) {
    return verifyTokenCredentials(this.tokens, credentials);
  }
}
