import type { IncomingMessage } from 'node:http';

export const JSON_ONLY_MESSAGE = 'Unsupported media type, please use json type';
export const MULTIPART_ONLY_MESSAGE = 'Unsupported media type, please use multipart/form-data';
export const FORM_ONLY_MESSAGE = 'Unsupported media type, please use application/x-www-form-urlencoded';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Paths whose body is a multipart upload rather than JSON. */
const MULTIPART_PATHS = /\/api\/images\/?$/;

/** Token introspection (RFC 7662 §2.1): its request is a form, as OAuth clients send it. */
const FORM_PATHS = /\/api\/introspect\/?$/;

export function takesForm(path: string): boolean {
  return FORM_PATHS.test(path);
}

/** The token check: a gateway may forward the body of the request it guards, which never matters here. */
const BODY_IGNORED_PATHS = /\/api\/validations\/?$/;

/**
 * On a path whose body is never read, the request is made to look bodiless
 * before any parser sees it: no 415, 400 or 413 for a body nobody wanted,
 * and no time spent reading it (Node discards it once the answer is sent).
 */
export function ignoreBodyOn(request: IncomingMessage, path: string): void {
  if (!BODY_IGNORED_PATHS.test(path) || !carriesBody(request)) return;
  delete request.headers['content-type'];
  delete request.headers['transfer-encoding'];
  delete request.headers['content-length'];
}

export function carriesBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The media-type rule of the API: a body must be JSON, or multipart on the
 * upload route, or a form on the introspection route. Returns the 415 message to answer with, or undefined if fine.
 */
export function unsupportedBodyMessage(request: IncomingMessage, path: string): string | undefined {
  if (!carriesBody(request)) return undefined;
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (MULTIPART_PATHS.test(path)) return type === 'multipart/form-data' ? undefined : MULTIPART_ONLY_MESSAGE;
  if (FORM_PATHS.test(path)) return type === FORM_TYPE ? undefined : FORM_ONLY_MESSAGE;
  return type === 'application/json' ? undefined : JSON_ONLY_MESSAGE;
}

export const MAX_JSON_DEPTH = 32;
export const TOO_DEEP_MESSAGE = `JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`;

/** Whether parsed JSON nests deeper than `max` (checked without recursion, so any depth is safe). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export const MALFORMED_JSON_MESSAGE = 'Malformed JSON body';

/**
 * What is wrong with a parsed JSON body, if anything: the API takes objects
 * (a bare string, number or null is as malformed as broken JSON), and refuses
 * absurd nesting before validation walks it recursively.
 */
export function jsonBodyProblem(body: unknown, hasBody: boolean): string | undefined {
  if (!hasBody) return undefined;
  if (body === null || typeof body !== 'object') return MALFORMED_JSON_MESSAGE;
  return nestsDeeperThan(body, MAX_JSON_DEPTH) ? TOO_DEEP_MESSAGE : undefined;
}
