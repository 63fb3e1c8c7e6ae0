import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import { parseAuthorization } from '../auth/authorization-header.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { ChallengedUnauthorizedError } from '../http/api-error.js';
import { clientInfoOf } from '../http/client-info.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import type { ApiKeyScope } from './api-key-scopes.js';
import { type ApiKeyPrincipal, ApiKeysService } from './api-keys.service.js';

export const BAD_API_KEY_MESSAGE = 'API key is not correct';
export const NOT_ALLOWED_MESSAGE = 'Not allowed';
export const BEARER_CHALLENGE = 'Bearer realm="one_auth"';
/** Introspection also takes Basic `key_name:key` (RFC 7662 §2.1 leaves the client authentication open). */
export const BEARER_OR_BASIC_CHALLENGE = 'Bearer realm="one_auth", Basic realm="one_auth", charset="UTF-8"';

/** What a route requires of its key: a scope, and whether Basic `key_name:key` is accepted besides Bearer. */
export interface ApiKeyRequirement {
  scope: ApiKeyScope;
  basic: boolean;
}
export const API_KEY_REQUIREMENT = 'one_auth:api-key-requirement';

/**
 * `Authorization: Bearer <key>` (and, where allowed, Basic `name:key`): the
 * key's principal goes to `request.user`. A missing, unknown or revoked key
 * is 401, a key without the route's scope 403. A failed check counts toward
 * the per-address login limit, and past it the address gets 429; a correct
 * key is never held back (nothing is written for it but, now and then, its
 * last use).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly limiter: RateLimiter,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.get<ApiKeyRequirement>(API_KEY_REQUIREMENT, context.getHandler());
    const request = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders; user?: unknown }>();
    const credentials = parseAuthorization(request.headers.authorization);
    let principal: ApiKeyPrincipal | null = null;
    if (credentials?.scheme === 'bearer') principal = await this.keys.authenticate(credentials.token);
    else if (credentials?.scheme === 'basic' && requirement.basic) {
      principal = await this.keys.authenticate(credentials.secret, credentials.userId);
    }
    if (!principal) {
      await this.countFailure(clientInfoOf(request).address);
      throw new ChallengedUnauthorizedError(BAD_API_KEY_MESSAGE, requirement.basic ? BEARER_OR_BASIC_CHALLENGE : BEARER_CHALLENGE);
    }
    if (!principal.scopes.includes(requirement.scope)) throw new ForbiddenException(NOT_ALLOWED_MESSAGE);
    request.user = principal;
    return true;
  }

  /** Throws 429 when the address is past the limit already; otherwise the failure is counted. */
  private async countFailure(address: string): Promise<void> {
    const reservation = await this.limiter.reserve(
      [{ bucket: `login:address:${address}`, rule: this.config.limits.loginFailuresPerAddress }],
      TOO_MANY_LOGINS_MESSAGE,
    );
    await this.limiter.count(reservation);
  }
}
