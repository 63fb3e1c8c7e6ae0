import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLogger } from '../logging/http-logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { assignRequestId, requestIdFor } from './request-id.js';
import { routeTemplateOf } from './route-template.js';

/**
 * What the service keeps of every request, whoever answers it: an id (a
 * sane one the client sent, or a new one), and once the answer is done one
 * timing in the metrics and one request line. Express's pipeline
 * (platform/express.platform.ts) and the answers ahead of it
 * (http/answer-ahead.ts: the token check's and userinfo's) all go through here, so a request's
 * record cannot depend on which of them answered it.
 */
export class RequestRecorder {
  constructor(
    private readonly metrics: Metrics,
    /** Undefined when the log level leaves request lines out. */
    private readonly logLine: RequestLogger | undefined,
    private readonly clientAddress: (request: IncomingMessage) => string,
  ) {}

  /** The id of a request whose answer is written in one go (the caller puts it in the answer's headers). */
  idOf(request: IncomingMessage): string {
    return requestIdFor(request);
  }

  /**
   * For answers written through the response object, as Express writes
   * them: the id goes on the request and the response at once; the timing
   * and the line come when the response closes, with the route the router
   * matched by then. `close` follows the end of every answer, and also comes
   * for a request whose client left before it (logged, not timed). One
   * listener per request.
   */
  observe(request: IncomingMessage, response: ServerResponse): void {
    const requestId = assignRequestId(request, response);
    const started = performance.now();
    response.once('close', () =>
      this.record(request, requestId, routeTemplateOf(request), response.statusCode, started, response.writableFinished),
    );
  }

  /**
   * One answer done: its timing, unless it never went out in full (`sent`
   * false), and its line. `started` is `performance.now()` when the request
   * came in.
   */
  record(request: IncomingMessage, requestId: string, route: string | null, status: number, started: number, sent = true): void {
    const elapsedMs = performance.now() - started;
    if (sent) this.metrics.observeRequest(request.method, route, status, elapsedMs / 1000);
    this.logLine?.({
      requestId,
      method: request.method,
      route,
      status,
      responseTime: elapsedMs,
      clientAddress: this.clientAddress(request),
    });
  }
}
