import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type HttpLogger, pinoHttp } from 'pino-http';
import { clientAddressOf } from '../http/client-address.js';
import { requestIdOf } from '../http/request-id.js';
import { routeTemplateOf } from '../http/route-template.js';

export type RequestLogger = (request: IncomingMessage, response: ServerResponse) => void;

/** The fields of the one line logged per request; nothing else about the request is ever logged. */
export function accessLogFields(request: IncomingMessage, response: ServerResponse, responseTime: number) {
  return {
    method: request.method,
    route: routeTemplateOf(request),
    status: response.statusCode,
    responseTime,
    clientAddress: clientAddressOf(request as IncomingMessage & { ip?: string }),
  };
}

/**
 * One line per request when it is answered (pino-http), keyed by the
 * request's X-Request-Id, which the platform assigns first. Undefined when the
 * level leaves request lines out, so that the request path pays nothing.
 */
export function createRequestLogger(logger: Logger): RequestLogger | undefined {
  if (!logger.isLevelEnabled('info')) return undefined;
  const middleware: HttpLogger = pinoHttp({
    logger,
    genReqId: (request) => requestIdOf(request),
    // Logs made during the request carry its id, never its headers or body.
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: omit, res: omit },
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (request, response, value: { responseTime: number }) => accessLogFields(request, response, value.responseTime),
    customErrorObject: (request, response, _error, value: { responseTime: number }) =>
      accessLogFields(request, response, value.responseTime),
  });
  return (request, response) => middleware(request, response);
}

function omit(): undefined {
  return undefined;
}
