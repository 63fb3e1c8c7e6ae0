import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { wrapPlatformListener, writeJsonAhead } from '../http/answer-ahead.js';
import { carriesBody } from '../http/body-type.js';
import type { RequestRecorder } from '../http/request-recorder.js';
import { isDraining } from '../platform/graceful-shutdown.js';
import { SECURITY_HEADERS } from '../platform/security-headers.js';
import { PAGE_HEADERS } from './login/layout.js';
import type { OidcProviderHost } from './oidc-provider.host.js';

export interface UserinfoAheadDeps {
  host: OidcProviderHost;
  recorder: RequestRecorder;
  /** The issuer's path (OIDC mount path): userinfo is its `/me`. */
  mountPath: string;
}

const BEARER = 'Bearer ';

/**
 * The token of a plain userinfo request: a GET of the issuer's `/me` with
 * nothing but a bearer token in the Authorization header. A query (a token
 * or a scope in it), a body, an Origin (CORS), a DPoP proof or a header of
 * another form goes to the provider's pipeline, which answers all of them.
 */
function plainUserinfoToken(request: IncomingMessage, path: string): string | undefined {
  if (request.method !== 'GET' || request.url !== path) return undefined;
  const { authorization, origin, dpop } = request.headers;
  if (!authorization?.startsWith(BEARER) || origin !== undefined || dpop !== undefined || carriesBody(request) || isDraining())
    return undefined;
  const token = authorization.slice(BEARER.length);
  return token.length > 0 && !token.includes(' ') ? token : undefined;
}

/**
 * Userinfo's successful answer, given ahead of Express and of the
 * provider's Koa pipeline. An app calls userinfo after every sign-in, some
 * on every page; the provider's pipeline (a Koa context, its OIDC context,
 * a dozen middlewares, an error object built for each check that passes)
 * cost it three times what the answer itself costs.
 *
 * So the server's request listener is wrapped, as for the token check
 * (platform/token-check-first.ts): a plain userinfo request (see
 * plainUserinfoToken) is answered here with the claims
 * OidcProviderHost.answerUserinfo makes through the provider's own models,
 * when the token checks out. The answer carries what the provider's answer
 * carries (request id, security headers, the issuer path's policy,
 * no-store, JSON) and is recorded by the same RequestRecorder under the
 * same route. Anything else, a refused token included, and anything thrown
 * here goes to the platform untouched, where the provider answers it (a
 * refused token is then looked up a second time; refusals are rare and
 * cheap next to the pipeline this saves).
 *
 * test/userinfo-ahead.e2e-spec.ts sends the same requests with this answer
 * on and off and finds the same answers, request lines and metrics.
 */
export function answerUserinfoAhead(server: Server, { host, recorder, mountPath }: UserinfoAheadDeps): void {
  const path = `${mountPath}/me`;
  // As the platform's answer has them: the security headers, with the issuer path's own policy
  // in their place (oidc-mount.ts); then the provider's: its CORS headers for a request without
  // an Origin (lib/shared/cors.js; DPoP is off, so only WWW-Authenticate is exposed), its no-store.
  const ownPolicy: Record<string, string> = {
    'Content-Security-Policy': PAGE_HEADERS['Content-Security-Policy'],
    'X-Frame-Options': PAGE_HEADERS['X-Frame-Options'],
  };
  const fixedHeaders = SECURITY_HEADERS.map((value, index, all) => (index % 2 === 1 ? (ownPolicy[all[index - 1]] ?? value) : value));
  fixedHeaders.push('Vary', 'Origin', 'Access-Control-Allow-Origin', '*', 'Access-Control-Expose-Headers', 'WWW-Authenticate');
  fixedHeaders.push('cache-control', 'no-store');

  wrapPlatformListener(server, (handle) => (request: IncomingMessage, response: ServerResponse) => {
    const token = plainUserinfoToken(request, path);
    if (token === undefined) return handle(request, response);
    const started = performance.now();
    const leaveToPlatform = () => handle(request, response);
    host.answerUserinfo(token).then(
      (claims) =>
        claims
          ? writeJsonAhead(request, response, {
              recorder,
              route: path,
              started,
              build: (requestId) => ({ headers: ['X-Request-Id', requestId, ...fixedHeaders], body: JSON.stringify(claims) }),
              unsent: leaveToPlatform,
            })
          : leaveToPlatform(),
      leaveToPlatform,
    );
  });
}
