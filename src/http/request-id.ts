import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const CLIENT_ID = /^[\w.:-]{1,128}$/;

type WithId = IncomingMessage & { requestId?: string };

/** A sane client-sent X-Request-Id, otherwise a new one. */
export function requestIdFor(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && CLIENT_ID.test(sent) ? sent : randomUUID();
}

/** Echo a sane client-sent X-Request-Id, otherwise make one; both request and response carry it. */
export function assignRequestId(request: IncomingMessage, response: ServerResponse): string {
  const id = requestIdFor(request);
  (request as WithId).requestId = id;
  response.setHeader('X-Request-Id', id);
  return id;
}

export function requestIdOf(request: unknown): string {
  return (request as WithId | undefined)?.requestId ?? '-';
}
