import supertest from 'supertest';
import { afterAll, expect } from 'vitest';
import { installOutputCapture, outputSince } from './output-capture.js';
import { noteAuthorization, noteSecretsIn, secretsIn, usedSecrets } from './secrets.js';

/**
 * Runs before every e2e file: captures the service's output, notes the
 * secrets of every request and answer that goes through supertest, and at
 * the end of the file fails if any of them was written out. Meaningful at
 * TEST_LOG_LEVEL=debug, where the service logs the most.
 */
installOutputCapture();

type Assert = (this: supertest.Test, error: Error, response: supertest.Response, fn: unknown) => void;
const prototype = supertest.Test.prototype as unknown as { assert: Assert; _data?: unknown; _header?: Record<string, unknown> };
const assert = prototype.assert;
prototype.assert = function (this: supertest.Test, error, response, fn) {
  const sent = this as unknown as { _data?: unknown; _header?: Record<string, unknown> };
  noteAuthorization(sent._header?.authorization);
  noteSecretsIn(typeof sent._data === 'string' ? parseJson(sent._data) : sent._data);
  noteSecretsIn(response?.body);
  return assert.call(this, error, response, fn);
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const VERBOSE = ['info', 'debug', 'verbose'].includes(process.env.TEST_LOG_LEVEL ?? '');

afterAll(() => {
  const output = outputSince();
  // The search proves something only if the requests were logged at all.
  if (VERBOSE && usedSecrets().length > 0) expect(output).toContain('"msg":"request completed"');
  expect(secretsIn(output), 'passwords, codes or tokens in the log output').toEqual([]);
});
