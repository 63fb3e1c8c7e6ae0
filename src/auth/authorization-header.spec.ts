import { describe, expect, it } from 'vitest';
import { parseAuthorization } from './authorization-header.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('parseAuthorization', () => {
  it('splits Basic credentials at the first colon only', () => {
    expect(parseAuthorization(`Basic ${b64('a@b.co:pa:ss:word')}`)).toEqual({ scheme: 'basic', userId: 'a@b.co', secret: 'pa:ss:word' });
  });

  it('decodes UTF-8 and accepts any case of the scheme', () => {
    expect(parseAuthorization(`bAsIc ${b64('jö@b.co:pässwörd')}`)).toEqual({ scheme: 'basic', userId: 'jö@b.co', secret: 'pässwörd' });
  });

  it('reads Bearer tokens', () => {
    expect(parseAuthorization('Bearer abc-DEF_123')).toEqual({ scheme: 'bearer', token: 'abc-DEF_123' });
  });

  it.each([
    undefined,
    '',
    'Basic',
    'Basic ',
    `Basic ${b64('no-colon')}`,
    `Basic ${b64(':secret')}`,
    `Basic ${b64('user:')}`,
    'Basic !!!!',
    `Basic ${Buffer.from([0x75, 0x3a, 0xc3, 0x28]).toString('base64')}`,
    `Digest ${b64('a:b')}`,
    `Basic ${b64('a:b')} extra`,
    `Basic ${'A'.repeat(5000)}`,
  ])('refuses %j', (header) => {
    expect(parseAuthorization(header)).toBeNull();
  });
});
