import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRequestLogger, type RequestLine } from './http-logger.js';
import { createLogger } from './logger.js';

function memory() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

const LINE: RequestLine = {
  requestId: 'req-1',
  method: 'GET',
  route: '/one_auth/api/validations',
  status: 200,
  responseTime: 2.6,
  clientAddress: '203.0.113.7',
};

describe('createRequestLogger', () => {
  it('writes the line pino would write for the same record: same fields, same order', () => {
    const ours = memory();
    createRequestLogger(createLogger({ logLevel: 'info', logFormat: 'json' }, ours.stream))!(LINE);
    const pinos = memory();
    createLogger({ logLevel: 'info', logFormat: 'json' }, pinos.stream).info(
      { reqId: 'req-1', method: 'GET', route: '/one_auth/api/validations', status: 200, responseTime: 3, clientAddress: '203.0.113.7' },
      'request completed',
    );
    const [line] = ours.lines;
    expect(line.endsWith('}\n')).toBe(true);
    const record = JSON.parse(line) as Record<string, unknown>;
    const expected = JSON.parse(pinos.lines[0]) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(Object.keys(expected));
    expect({ ...record, time: undefined }).toEqual({ ...expected, time: undefined });
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
  });

  it('logs a 5xx at error level, a missing route as null, and escapes what a client could put in its address', () => {
    const { lines, stream } = memory();
    const log = createRequestLogger(createLogger({ logLevel: 'info', logFormat: 'json' }, stream))!;
    log({ ...LINE, status: 503, route: null, clientAddress: 'x", "level":"debug\n' });
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'error',
      msg: 'request failed',
      route: null,
      status: 503,
      clientAddress: 'x", "level":"debug\n',
    });
    expect(lines[0].trimEnd().split('\n')).toHaveLength(1);
  });

  it('is absent when the level leaves request lines out', () => {
    expect(createRequestLogger(createLogger({ logLevel: 'warn', logFormat: 'json' }, memory().stream))).toBeUndefined();
  });

  it('goes through the pretty printer in pretty format', () => {
    const { lines, stream } = memory();
    createRequestLogger(createLogger({ logLevel: 'info', logFormat: 'pretty' }, stream))!(LINE);
    const text = lines.join('');
    expect(text).toContain('request completed');
    expect(text.startsWith('{')).toBe(false);
  });
});
