import type { Request } from 'express';
import type { BasicVerifyFunction } from 'passport-http';
import { type Credentials, parseAuthorization } from '../authorization-header.js';
import { RfcBasicStrategy, type Verified } from './rfc-basic.strategy.js';

/**
 * The Basic strategy for `email:token` pairs (RFC 7617, parsed as
 * RfcBasicStrategy parses passwords), which also takes `Bearer <token>`
 * (RFC 6750): passport-http has no bearer strategy, and both schemes come
 * from the one Authorization header, parsed once here. Verify receives the
 * parsed credentials, either scheme, and nothing else. Any other or
 * malformed header is a plain failure (401).
 */
export class RfcTokenStrategy extends RfcBasicStrategy {
  constructor(verify: (credentials: Credentials, done: Verified) => void) {
    super(verify as unknown as BasicVerifyFunction);
  }

  override authenticate(request: Request): void {
    const credentials = parseAuthorization(request.headers.authorization);
    if (!credentials) {
      this.fail(401);
      return;
    }
    this.verify(credentials, this.verified());
  }
}
