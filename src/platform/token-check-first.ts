import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AccessTokensService, TokenPrincipal } from '../auth/access-tokens.service.js';
import { parseAuthorization } from '../auth/authorization-header.js';
import { verifyTokenCredentials } from '../auth/token-credentials.js';
import { VALIDATIONS_ROUTE, validationAnswer } from '../auth/validations.route.js';
import { carriesBody } from '../http/body-type.js';
import { NO_STORE_HEADERS } from '../http/cache-policy.js';
import type { RequestRecorder } from '../http/request-recorder.js';
import { isDraining } from './graceful-shutdown.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface TokenCheckFirstDeps {
  tokens: AccessTokensService;
  /** Express's pipeline records its requests through the same one. */
  recorder: RequestRecorder;
}

const QUERY = '?'.charCodeAt(0);

function isTokenCheck(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return (
    request.method === 'GET' &&
    (url === VALIDATIONS_ROUTE || (url.startsWith(VALIDATIONS_ROUTE) && url.charCodeAt(VALIDATIONS_ROUTE.length) === QUERY)) &&
    !carriesBody(request) &&
    !isDraining()
  );
}

/**
 * The token check's successful answer, given ahead of the platform.
 * Relying services and gateways call `GET /api/validations` on every request
 * they serve, and a framework's request handling (routing, a request and a
 * reply object, a dozen hooks, Nest's own) cost the check more than the
 * check itself.
 *
 * So the server's request listener is wrapped: a GET of the token check
 * without a body, while the service is not draining, is checked here with
 * the token strategy's own verify function (verifyTokenCredentials, which
 * looks the token up on every call: revocation takes effect at once). When the token checks out,
 * the answer is written here with what either platform puts on it (request
 * id, security headers, no-store, the identity headers and the profile as
 * JSON) and is recorded (request id, timing, line) by the same
 * RequestRecorder as Express's answers. Every other request, and every check that does not come out as a
 * 200 (a refused token, a database error), goes to the platform untouched,
 * where ValidationsController and its guard answer it exactly as before:
 * a refused token is looked up a second time there, which only failures pay.
 * test/access-tokens.e2e-spec.ts compares the answers with those of a route
 * behind the same guard through Nest; bench/token-check-answers.mjs compares
 * every answer, request line and metric of two builds.
 */
export function answerTokenChecksFirst(server: Server, deps: TokenCheckFirstDeps): void {
  const platform = server.listeners('request') as RequestListener[];
  if (platform.length !== 1) throw new Error(`expected the platform's one request listener, found ${platform.length}`);
  const [handle] = platform;
  const { tokens, recorder } = deps;

  // All the headers in one writeHead, as a list: set one by one, each went into the response's
  // header object, whose shapes vary with every platform's header order (slow property adds).
  const answer = (request: IncomingMessage, response: ServerResponse, started: number, principal: TokenPrincipal) => {
    const requestId = recorder.idOf(request);
    const headers = ['X-Request-Id', requestId, ...SECURITY_HEADERS, ...NO_STORE_HEADERS];
    const body = JSON.stringify(validationAnswer((name, value) => headers.push(name, value), principal));
    headers.push('content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body)));
    response.writeHead(200, headers).end(body);
    recorder.record(request, requestId, VALIDATIONS_ROUTE, 200, started);
  };

  server.removeListener('request', handle);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!isTokenCheck(request)) return handle(request, response);
    const started = performance.now();
    const credentials = parseAuthorization(request.headers.authorization);
    if (!credentials) return handle(request, response);
    verifyTokenCredentials(tokens, credentials).then(
      (principal) => (principal ? answer(request, response, started, principal) : handle(request, response)),
      () => handle(request, response),
    );
  });
}
