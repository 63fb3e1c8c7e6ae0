import { type DestinationStream, type Logger, pino } from 'pino';

/** Everything the one line logged per request says: never its headers, body or URL. */
export interface RequestLine {
  requestId: string;
  method: string | undefined;
  /** The template of the route it matched (`/one_auth/api/sessions/:id`), null when none did. */
  route: string | null;
  status: number;
  /** Milliseconds from the platform's first hook to the end of the answer. */
  responseTime: number;
  clientAddress: string;
}

export type RequestLogger = (line: RequestLine) => void;

/**
 * One line per request, written once the response is done.
 * Undefined when the level leaves request lines out, so that the request
 * path pays nothing.
 *
 * The line has a fixed shape, so it is written as pino would write it
 * (level, time and the logger's bindings first, the same stream, so pretty
 * output and the asynchronous writer apply alike) without pino's generic
 * object serialisation, which walks the fields and tests every string for
 * characters to escape; strings here go through JSON.stringify. Nor does
 * it run the logger's redaction net (wildcard paths that cost about 20 µs
 * a line): the fields hold no secret. The logs e2e test pins them.
 */
export function createRequestLogger(logger: Logger): RequestLogger | undefined {
  if (!logger.isLevelEnabled('info')) return undefined;
  const { streamSym, chindingsSym, timeSym } = pino.symbols;
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[streamSym] as DestinationStream;
  const time = internals[timeSym] as () => string;
  const bindings = internals[chindingsSym] as string;
  return ({ requestId, method, route, status, responseTime, clientAddress }) => {
    const failed = status >= 500;
    // The request id (requestIdFor: word characters, '.', ':', '-'), the method (Node's
    // parser takes only known methods) and the route (a template of the service's own)
    // need no escaping; the client address may come from a forwarded header.
    stream.write(
      `{"level":"${failed ? 'error' : 'info'}"${time()}${bindings},"reqId":"${requestId}",` +
        `"method":${method === undefined ? 'null' : `"${method}"`},"route":${route === null ? 'null' : `"${route}"`},"status":${status},` +
        `"responseTime":${Math.round(responseTime)},"clientAddress":${JSON.stringify(clientAddress)},` +
        `"msg":"${failed ? 'request failed' : 'request completed'}"}\n`,
    );
  };
}
