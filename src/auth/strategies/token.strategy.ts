import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AccessTokensService } from '../access-tokens.service.js';
import { RfcBasicStrategy } from './rfc-basic.strategy.js';

export const TOKEN_STRATEGY = 'basic-token';

/** `Basic email:token` or `Bearer token`, for everything after login. */
@Injectable()
export class TokenStrategy extends PassportStrategy(RfcBasicStrategy, TOKEN_STRATEGY) {
  protected override acceptsBearer = true;

  constructor(private readonly tokens: AccessTokensService) {
    super();
  }

  validate(_request: unknown, email: string | null, token: string) {
    return this.tokens.authenticate(token, email ?? undefined);
  }
}
