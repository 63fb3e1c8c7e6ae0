import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AccessTokensService, TokenPrincipal } from '../auth/access-tokens.service.js';
import { parseAuthorization } from '../auth/authorization-header.js';
import { carryTokenCheckOutcome, TOKEN_REFUSED, type TokenCheckOutcome } from '../auth/token-check-outcome.js';
import { verifyTokenCredentials } from '../auth/token-credentials.js';
import { VALIDATIONS_ROUTE, validationAnswer } from '../auth/validations.route.js';
import { asError, wrapPlatformListener, writeJsonAhead } from '../http/answer-ahead.js';
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
 * looks the token up on every call: revocation takes effect at once). When
 * the token checks out, the answer is written here with what Express's
 * pipeline puts on it (request id, security headers, no-store, the identity
 * headers and the profile as JSON) and is recorded (request id, timing,
 * line) by the same RequestRecorder as Express's answers.
 *
 * Every other request goes to Express untouched. A check that does not
 * come out as a 200 goes to Express too, where ValidationsController and
 * its guard answer it, with its outcome (carryTokenCheckOutcome): the token
 * strategy answers a refused token's 401 without looking it up again, and
 * hands an error (the database down, or anything thrown while answering
 * here before a byte went out) to the exception filter, which answers it
 * as any route's error: 503, or 500 `Internal server error`, with a request
 * id, logged. Nothing thrown here is left unhandled.
 *
 * test/token-check-ahead.e2e-spec.ts runs the matrix of
 * bench/token-check-matrix.mjs with this answer on and off and finds every
 * answer, request line and metric the same; bench/token-check-answers.mjs
 * compares two builds with it.
 */
export function answerTokenChecksFirst(server: Server, deps: TokenCheckFirstDeps): void {
  const { tokens, recorder } = deps;
  wrapPlatformListener(server, (handle) => {
    const leaveToPlatform = (request: IncomingMessage, response: ServerResponse, outcome: TokenCheckOutcome) => {
      carryTokenCheckOutcome(request, outcome);
      handle(request, response);
    };

    // Names and order are Express's, so the answer is the one Nest's route gives, byte for byte but for Date.
    const answer = (request: IncomingMessage, response: ServerResponse, started: number, principal: TokenPrincipal) =>
      writeJsonAhead(request, response, {
        recorder,
        route: VALIDATIONS_ROUTE,
        started,
        build: (requestId) => {
          const headers = ['X-Request-Id', requestId, ...SECURITY_HEADERS, ...NO_STORE_HEADERS];
          const body = JSON.stringify(validationAnswer((name, value) => headers.push(name, value), principal));
          return { headers, body };
        },
        unsent: (error) => leaveToPlatform(request, response, { error }),
      });

    return (request: IncomingMessage, response: ServerResponse) => {
      if (!isTokenCheck(request)) return handle(request, response);
      const started = performance.now();
      const credentials = parseAuthorization(request.headers.authorization);
      if (!credentials) return leaveToPlatform(request, response, TOKEN_REFUSED);
      verifyTokenCredentials(tokens, credentials).then(
        (principal) => (principal ? answer(request, response, started, principal) : leaveToPlatform(request, response, TOKEN_REFUSED)),
        (error: unknown) => leaveToPlatform(request, response, { error: asError(error) }),
      );
    };
  });
}
