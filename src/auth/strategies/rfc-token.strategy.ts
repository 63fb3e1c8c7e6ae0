import type { Request } from 'express';
import type { BasicVerifyFunction } from 'passport-http';
import type { AccessTokensService } from '../access-tokens.service.js';
import { type Credentials, parseAuthorization } from '../authorization-header.js';
import { tokenCheckOutcomeOf } from '../token-check-outcome.js';
import { RfcBasicStrategy, type Verified } from './rfc-basic.strategy.js';

/** What the guard hands the strategy with every request: the token service of the application that serves the route. */
export interface TokenAuthenticateOptions {
  tokens: AccessTokensService;
}

export type TokenVerify = (tokens: AccessTokensService, credentials: Credentials, done: Verified) => void;

/**
 * The Basic strategy for `email:token` pairs (RFC 7617, parsed as
 * RfcBasicStrategy parses passwords), which also takes `Bearer <token>`
 * (RFC 6750): passport-http has no bearer strategy, and both schemes come
 * from the one Authorization header, parsed once here. Any other or
 * malformed header is a plain failure (401). A request whose token was
 * checked ahead of the platform and left to it is not checked again.
 *
 * Verify receives the token service and the parsed credentials. The
 * service comes from the guard, not from the strategy: passport keeps
 * strategies in one registry per process, so with several applications in
 * one process (the tests run two side by side) a strategy holding a
 * service would check every application's tokens with the last one's
 * database and settings.
 */
export class RfcTokenStrategy extends RfcBasicStrategy {
  constructor(verify: TokenVerify) {
    super(verify as unknown as BasicVerifyFunction);
  }

  override authenticate(request: Request, options?: Partial<TokenAuthenticateOptions>): void {
    // Checked already ahead of the platform (platform/token-check-first.ts): its outcome stands.
    const checked = tokenCheckOutcomeOf(request);
    if (checked) {
      if ('error' in checked) this.error(checked.error as Error);
      else this.fail(401);
      return;
    }
    const credentials = parseAuthorization(request.headers.authorization);
    if (!credentials) {
      this.fail(401);
      return;
    }
    if (!options?.tokens) {
      this.error(new Error('the token strategy was called without a token service'));
      return;
    }
    this.verify(options.tokens, credentials, this.verified());
  }
}
