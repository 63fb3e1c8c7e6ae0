import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { OpenAPIRouter, type Document, type Operation } from 'openapi-backend';

/**
 * Holds the service to its published OpenAPI document: every response the
 * server sends during a suite is recorded and checked against the document
 * when the suite closes the app. A response passes when its operation
 * declares its status, its media type is one declared for that status, its
 * JSON body matches the declared schema (no undeclared fields), and the
 * headers the document marks required are there. openapi-backend finds the
 * operation; Ajv validates the bodies, compiling only the schemas a suite
 * meets (compiling them all costs seconds per suite).
 */

export const CONTRACT_REPORT_DIR = join(import.meta.dirname, '..', '..', 'coverage', 'contract');

// The documentation itself is not part of the API it describes; nor is the
// OpenID Provider under its issuer's path, whose contract is OpenID Connect's
// (its discovery document), held by the oidc tests through a certified client.
const UNDOCUMENTED = /^\/one_auth\/(?:docs(?:-json|-yaml|\/.*)?|oidc(?:\/.*)?)$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
// JSON bodies are small; binary ones (images) are only measured.
const MAX_CAPTURED_BYTES = 256 * 1024;

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  length: number;
}

/** Records every response `server` sends from now on. */
export function recordResponses(server: Server): RecordedResponse[] {
  const recorded: RecordedResponse[] = [];
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    // Taken now: a handler may rewrite the URL (the OpenID Provider's mount does).
    const path = (request.url ?? '/').split('?')[0];
    const chunks: Buffer[] = [];
    let length = 0;
    const capture = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const bytes = Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : Buffer.from(chunk as Uint8Array);
      length += bytes.length;
      if (length <= MAX_CAPTURED_BYTES) chunks.push(bytes);
    };
    const write = response.write;
    const end = response.end;
    response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      capture(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof response.write;
    response.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      capture(chunk, rest[0]);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as typeof response.end;
    response.on('finish', () => {
      recorded.push({
        method: request.method ?? 'GET',
        path,
        status: response.statusCode,
        headers: sentHeaders(response),
        body: Buffer.concat(chunks),
        length,
      });
    });
  });
  return recorded;
}

/** The headers as sent, whether set one by one or passed to writeHead. */
function sentHeaders(response: ServerResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = (response as unknown as { _header?: string })._header ?? '';
  for (const line of raw.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  for (const [name, value] of Object.entries(response.getHeaders())) headers[name.toLowerCase()] ??= String(value);
  return headers;
}

interface ContractOperation {
  operationId: string;
  method: string;
  path: string;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, { required?: boolean }> }>;
}

/**
 * One finding per response that the document does not describe exactly.
 * `coverage: false` keeps made-up responses out of the run's summary.
 */
export async function checkAgainstDocument(document: unknown, responses: RecordedResponse[], { coverage = true } = {}): Promise<string[]> {
  const started = performance.now();
  const api = checkerFor(document);
  const problems: string[] = [];
  const seen: string[] = [];
  for (const response of responses) {
    if (UNDOCUMENTED.test(response.path)) continue;
    const operation = api.router.matchOperation({ method: response.method, path: response.path, headers: {} }) as
      (Operation & ContractOperation) | undefined;
    const where = `${response.method} ${response.path} → ${response.status}`;
    if (!operation) {
      // No such operation: the router's JSON 404 is the only right answer.
      seen.push(`(no operation) ${response.status}`);
      if (response.status !== 404 || !isErrorBody(response))
        problems.push(`${where}: no operation in the document for this path and method`);
      continue;
    }
    seen.push(`${operation.method.toUpperCase()} ${operation.path} ${response.status}`);
    const declared = operation.responses[String(response.status)] ?? operation.responses.default;
    if (!declared) {
      problems.push(`${where}: status ${response.status} is not declared on ${operation.operationId}`);
      continue;
    }
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const declaredTypes = Object.keys(declared.content ?? {});
    if (declaredTypes.length === 0) {
      if (response.length > 0) problems.push(`${where}: a body (${mediaType}) where the document declares none`);
    } else if (!declaredTypes.includes(mediaType)) {
      problems.push(`${where}: Content-Type ${mediaType || '(none)'} is not one of ${declaredTypes.join(', ')}`);
    } else if (JSON_TYPE.test(mediaType) && response.length <= MAX_CAPTURED_BYTES) {
      let body: unknown;
      try {
        body = JSON.parse(response.body.toString('utf8'));
      } catch {
        problems.push(`${where}: the body is not JSON`);
        continue;
      }
      const validate = api.validatorFor((declared.content ?? {})[mediaType]);
      if (!validate(body)) {
        for (const error of validate.errors ?? []) {
          problems.push(`${where}: body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
        }
      }
    }
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      if (header.required && response.headers[name.toLowerCase()] === undefined) problems.push(`${where}: the ${name} header is missing`);
    }
  }
  if (coverage) recordCoverage(api.router.getOperations() as unknown as ContractOperation[], seen, performance.now() - started);
  return problems;
}

interface Checker {
  router: OpenAPIRouter;
  validatorFor(media: unknown): ValidateFunction;
}

// Suites that start several apps build one checker.
const checkers = new Map<string, Checker>();

function checkerFor(document: unknown): Checker {
  const key = JSON.stringify(document);
  let checker = checkers.get(key);
  if (!checker) {
    const strict = strictCopy(JSON.parse(key)) as Document & { components?: unknown };
    // Formats (email, binary…) describe, they do not constrain what is answered.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ components: strict.components }, 'openapi');
    const compiled = new Map<string, ValidateFunction>();
    checker = {
      router: new OpenAPIRouter({ definition: strict }),
      validatorFor(media) {
        const schema = JSON.stringify((media as { schema?: unknown } | undefined)?.schema ?? {}).replaceAll(
          '"#/components/',
          '"openapi#/components/',
        );
        let validate = compiled.get(schema);
        if (!validate) compiled.set(schema, (validate = ajv.compile(JSON.parse(schema))));
        return validate;
      },
    };
    checkers.set(key, checker);
  }
  return checker;
}

function isErrorBody(response: RecordedResponse): boolean {
  if (!JSON_TYPE.test((response.headers['content-type'] ?? '').split(';')[0])) return false;
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { message?: unknown };
    return typeof body.message === 'string';
  } catch {
    return false;
  }
}

/**
 * The document as the checks read it: every object schema that lists its
 * properties takes no others, so a field the document does not name (a
 * leaked column, a renamed key) is a finding rather than silently allowed.
 */
function strictCopy(document: unknown): unknown {
  const copy = structuredClone(document) as Record<string, unknown>;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    // OpenAPI 3.0's nullable reference (`nullable` beside `allOf: [$ref]`): null, or what the reference describes.
    if (schema.nullable === true && Array.isArray(schema.allOf)) {
      schema.anyOf = [{ type: 'null' }, { allOf: schema.allOf }];
      delete schema.allOf;
      delete schema.type;
      delete schema.nullable;
    }
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    Object.values(schema).forEach(visit);
  };
  visit((copy.components as Record<string, unknown> | undefined)?.schemas);
  visit(copy.paths);
  return copy;
}

/** Notes what is declared and what this suite saw, for the summary printed after the run (contract-report.ts). */
function recordCoverage(operations: ContractOperation[], seen: string[], elapsedMs: number): void {
  mkdirSync(CONTRACT_REPORT_DIR, { recursive: true });
  const declared = operations.flatMap((operation) =>
    Object.keys(operation.responses).map((status) => `${operation.method.toUpperCase()} ${operation.path} ${status}`),
  );
  writeFileSync(join(CONTRACT_REPORT_DIR, 'declared.txt'), declared.map((entry) => `${entry}\n`).join(''));
  appendFileSync(join(CONTRACT_REPORT_DIR, `seen-${process.pid}.txt`), seen.map((entry) => `${entry}\n`).join(''));
  appendFileSync(join(CONTRACT_REPORT_DIR, 'check-ms.txt'), `${Math.round(elapsedMs)}\n`);
}
