import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestLogger } from '../logging/http-logger.js';
import { createLogger } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { RequestRecorder } from './request-recorder.js';

function recorderWithLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const metrics = new Metrics();
  const logLine = createRequestLogger(createLogger({ logLevel: 'info', logFormat: 'json' }, stream));
  return { lines, metrics, recorder: new RequestRecorder(metrics, logLine, () => '203.0.113.7') };
}

async function timings(metrics: Metrics): Promise<string[]> {
  const text = await metrics.registry.getSingleMetricAsString('one_auth_http_request_duration_seconds');
  return text.split('\n').filter((line) => line.startsWith('one_auth_http_request_duration_seconds_count'));
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real node:http server with `handle` as its listener; answers what one request got. */
async function serveOnce(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
  headers: Record<string, string> = {},
  abort = false,
): Promise<{ status?: number; requestId?: string }> {
  server = createServer(handle);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    const sent = httpRequest({ port, host: '127.0.0.1', path: '/x', headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, requestId: response.headers['x-request-id'] as string }));
    });
    sent.on('error', () => resolve({}));
    sent.end();
    if (abort) setTimeout(() => sent.destroy(), 50);
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('RequestRecorder', () => {
  it("observes an answer written through the response: the id on both sides, then one timing and one line with the router's route", async () => {
    const { lines, metrics, recorder } = recorderWithLines();
    const answer = await serveOnce(
      (request, response) => {
        recorder.observe(request, response);
        expect((request as { requestId?: string }).requestId).toBe('gateway-7');
        (request as { route?: { path: string } }).route = { path: '/one_auth/api/sessions/:id' };
        response.statusCode = 404;
        response.end('{}');
      },
      { 'x-request-id': 'gateway-7' },
    );
    await settle();
    expect(answer).toEqual({ status: 404, requestId: 'gateway-7' });
    expect(lines).toEqual([
      expect.objectContaining({
        reqId: 'gateway-7',
        method: 'GET',
        route: '/one_auth/api/sessions/:id',
        status: 404,
        clientAddress: '203.0.113.7',
      }),
    ]);
    expect(await timings(metrics)).toEqual([
      'one_auth_http_request_duration_seconds_count{method="GET",route="/one_auth/api/sessions/:id",status="404"} 1',
    ]);
  });

  it('logs a request whose client left before its answer, without timing it', async () => {
    const { lines, metrics, recorder } = recorderWithLines();
    await serveOnce((request, response) => recorder.observe(request, response), {}, true);
    await settle();
    expect(lines).toEqual([expect.objectContaining({ route: null, status: 200, msg: 'request completed' })]);
    expect(lines[0].reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await timings(metrics)).toEqual([]);
  });

  it('records an answer written in one go with the id it was given, under the route named', async () => {
    const { lines, metrics, recorder } = recorderWithLines();
    await serveOnce((request, response) => {
      const started = performance.now();
      const requestId = recorder.idOf(request);
      response.writeHead(200, ['X-Request-Id', requestId]).end('{}');
      recorder.record(request, requestId, '/one_auth/api/validations', 200, started);
    });
    expect(lines).toEqual([expect.objectContaining({ route: '/one_auth/api/validations', status: 200 })]);
    expect(await timings(metrics)).toEqual([
      'one_auth_http_request_duration_seconds_count{method="GET",route="/one_auth/api/validations",status="200"} 1',
    ]);
  });
});
