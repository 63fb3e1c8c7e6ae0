import { type Adapter, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { isDatabaseUnavailable } from '../database/driver-errors.js';
import { PAGE_HEADERS } from './login/layout.js';
import { errorPage } from './login/provider-pages.js';

/** Seconds a relying party is told to wait before it tries again. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
export const OUTAGE_DESCRIPTION = 'one_auth cannot answer just now, try again in a moment';

/**
 * A database outage as the provider answers it: the OAuth error
 * `temporarily_unavailable` (RFC 6749 §4.1.2.1) with status 503, an error the
 * provider's own handlers turn into its usual answers: the JSON error body
 * of the token, userinfo, introspection and revocation endpoints, a redirect
 * to the app's registered redirect URI from the authorization endpoint when
 * the app is known, the error page otherwise. A relying party's library
 * that reads a failed answer's body looks for `error` there, as in the
 * provider's other errors (the API's `{"message"}` would be an unexplained
 * failure to it); openid-client reads bodies of 4xx answers only and hands a
 * 503 over as it came, its status and Retry-After saying to try again, and
 * userinfo's Bearer challenge names the error too.
 */
export function outageError(cause: unknown): errors.OIDCProviderError {
  const error = new errors.TemporarilyUnavailable(OUTAGE_DESCRIPTION, { cause: cause as Error });
  error.status = 503;
  error.statusCode = 503;
  // Kept apart from the error's detail: the cause's message names the database.
  delete error.error_detail;
  return error;
}

/** Runs a step of the provider that reads or writes the database; an outage becomes `outageError`. */
export async function duringOutage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isDatabaseUnavailable(error) ? outageError(error) : error;
  }
}

/** An adapter whose every call answers an outage with `outageError`. */
export function outageAware(adapter: Adapter): Adapter {
  return {
    upsert: (id, payload, expiresIn) => duringOutage(() => adapter.upsert(id, payload, expiresIn)),
    find: (id) => duringOutage(async () => adapter.find(id)),
    findByUid: (uid) => duringOutage(async () => adapter.findByUid(uid)),
    findByUserCode: (userCode) => duringOutage(async () => adapter.findByUserCode(userCode)),
    consume: (id) => duringOutage(() => adapter.consume(id)),
    destroy: (id) => duringOutage(() => adapter.destroy(id)),
    revokeByGrantId: (grantId) => duringOutage(() => adapter.revokeByGrantId(grantId)),
  };
}

/** A database outage, as the driver reports it or as `outageError` says it. */
export function isOutage(error: unknown): boolean {
  return (error instanceof errors.OIDCProviderError && error.error === 'temporarily_unavailable') || isDatabaseUnavailable(error);
}

/**
 * The provider's outermost middleware: every 503 it gives carries
 * Retry-After, and an outage met outside a route's own error handling (the
 * session saved after the route answered) is a 503 too, never the 500 Koa
 * would make of it: the error page for a browser, the OAuth error otherwise.
 */
export function answerOutages(mountPath: string) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    try {
      await next();
    } catch (error) {
      if (!isOutage(error)) throw error;
      ctx.status = 503;
      if (ctx.accepts('json', 'html') === 'html') {
        const requestId = (ctx.req as { requestId?: string }).requestId;
        ctx.set(PAGE_HEADERS);
        ctx.body = errorPage(mountPath, { error: 'temporarily_unavailable', description: OUTAGE_DESCRIPTION, requestId }).toString();
      } else ctx.body = { error: 'temporarily_unavailable', error_description: OUTAGE_DESCRIPTION };
    }
    if (ctx.status === 503) ctx.set('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
  };
}
