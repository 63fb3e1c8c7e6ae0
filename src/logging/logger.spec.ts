import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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

describe('createLogger', () => {
  it('writes JSON lines with a level name and an ISO time', () => {
    const { lines, stream } = memory();
    createLogger({ logLevel: 'info', logFormat: 'json' }, stream).info({ route: '/x' }, 'hello');
    const record = JSON.parse(lines[0]);
    expect(record).toMatchObject({ level: 'info', msg: 'hello', route: '/x' });
    expect(new Date(record.time).toISOString()).toBe(record.time);
  });

  it('redacts credentials and secret fields at the top and two levels down', () => {
    const { lines, stream } = memory();
    createLogger({ logLevel: 'info', logFormat: 'json' }, stream).info({
      password: 'pw-top-level',
      body: { new_password: 'pw-nested', validation_code: '123456', access_token: 'tok-nested' },
      req: { headers: { authorization: 'Basic c2VjcmV0', cookie: 'sid=secret-cookie', 'set-cookie': 'sid=set' } },
      err: { code: 'ECONNREFUSED' },
    });
    const text = lines.join('');
    for (const secret of ['pw-top-level', 'pw-nested', '123456', 'tok-nested', 'c2VjcmV0', 'secret-cookie', 'sid=set']) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text)).toMatchObject({
      password: '[redacted]',
      body: { validation_code: '[redacted]' },
      err: { code: 'ECONNREFUSED' },
    });
  });

  it('maps Nest level names (verbose is pino trace) and leaves out what is below the level', () => {
    const { lines, stream } = memory();
    const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, stream);
    logger.info('not written');
    logger.warn('written');
    expect(lines).toHaveLength(1);
    expect(createLogger({ logLevel: 'verbose', logFormat: 'json' }, stream).level).toBe('trace');
  });

  it('writes one readable line per record in pretty format', () => {
    const { lines, stream } = memory();
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, stream).info({ status: 200, password: 'pw-pretty' }, 'request completed');
    const text = lines.join('');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toContain('request completed');
    expect(text).not.toContain('pw-pretty');
    expect(text.startsWith('{')).toBe(false);
  });
});
