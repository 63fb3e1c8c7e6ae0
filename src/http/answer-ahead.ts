import { Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { RequestRecorder } from './request-recorder.js';

/**
 * What answers a frequent request ahead of the HTTP platform shares: the
 * token check (platform/token-check-first.ts) and userinfo
 * (oidc/userinfo-ahead.ts) each wrap the server's request listener and write
 * their successful answer in one go; everything else goes to the platform.
 */

/** Replaces the server's one request listener (the platform's) with `wrap(platform)`. */
export function wrapPlatformListener(server: Server, wrap: (platform: RequestListener) => RequestListener): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`expected the platform's one request listener, found ${listeners.length}`);
  const [platform] = listeners;
  server.removeListener('request', platform);
  server.on('request', wrap(platform));
}

/** Whatever was thrown, as an Error: the exception filter and the logs name it by name and message. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

const logger = new Logger('HTTP');

/**
 * Writes a 200 JSON answer and records it (request id, timing, line) with
 * the RequestRecorder Express's pipeline uses. `build` gives the headers
 * after the request id (Content-Type and Content-Length are added) and the
 * body. All the headers go in one writeHead, as a list: set one by one, each
 * went into the response's header object, whose shapes vary with the header
 * order (slow property adds).
 *
 * Anything thrown before a byte went out leaves the response without a
 * header and calls `unsent` with it, for the platform to answer the
 * request; after the answer went out (the recording failed), it is logged:
 * the client has its answer and the service serves on.
 */
export function writeJsonAhead(
  request: IncomingMessage,
  response: ServerResponse,
  answer: {
    recorder: RequestRecorder;
    route: string;
    started: number;
    build: (requestId: string) => { headers: string[]; body: string };
    unsent: (error: Error) => void;
  },
): void {
  let requestId = '-';
  try {
    requestId = answer.recorder.idOf(request);
    const { headers, body } = answer.build(requestId);
    headers.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)));
    response.writeHead(200, headers).end(body);
    answer.recorder.record(request, requestId, answer.route, 200, answer.started);
  } catch (error) {
    if (!response.headersSent) {
      // writeHead may have taken some headers before it threw: the platform starts from none.
      for (const name of response.getHeaderNames()) response.removeHeader(name);
      return answer.unsent(asError(error));
    }
    const { name, message } = asError(error);
    logger.error(`request ${requestId} failed after its answer: ${name}: ${message}`);
  }
}
