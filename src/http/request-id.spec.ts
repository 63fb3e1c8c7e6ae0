import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestIdFor } from './request-id.js';

const withId = (sent?: string | string[]) =>
  ({ headers: sent === undefined ? {} : { 'x-request-id': sent } }) as unknown as IncomingMessage;
// Request lines write the id without escaping it (logging/http-logger.ts): only these characters may get there.
const SAFE = /^[\w.:-]{1,128}$/;

describe('requestIdFor', () => {
  it("echoes a client's id made of word characters, '.', ':' and '-'", () => {
    expect(requestIdFor(withId('gateway-1:abc.DEF_9'))).toBe('gateway-1:abc.DEF_9');
  });

  it('makes a new one for anything else, which needs no escaping either', () => {
    for (const sent of ['a"b', 'a\\b', 'a b', 'é', '', 'x'.repeat(129), ['one', 'two'], undefined]) {
      const id = requestIdFor(withId(sent));
      expect(id).not.toBe(sent);
      expect(id).toMatch(SAFE);
    }
  });
});
