import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { AccessTokensService } from '../access-tokens.service.js';
import type { Credentials } from '../authorization-header.js';
import { verifyTokenCredentials } from '../token-credentials.js';
import { RfcTokenStrategy } from './rfc-token.strategy.js';

export const TOKEN_STRATEGY = 'basic-token';

/** `Basic email:token` or `Bearer token`, for everything after login; TokenAuthGuard hands it the token service. */
@Injectable()
export class TokenStrategy extends PassportStrategy(RfcTokenStrategy, TOKEN_STRATEGY) {
  validate(tokens: AccessTokensService, credentials: Credentials) {
    return verifyTokenCredentials(tokens, credentials);
  }
}
