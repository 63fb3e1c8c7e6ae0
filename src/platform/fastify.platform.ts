import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from '../app.module.js';
import { carriesBody, FORM_TYPE, ignoreBodyOn, jsonBodyProblem, unsupportedBodyMessage } from '../http/body-type.js';
import { forbidCachingOfApi } from '../http/cache-policy.js';
import { assignRequestId } from '../http/request-id.js';
import type { AppConfig } from '../config/app-config.js';
import { createRequestLogger } from '../logging/http-logger.js';
import { createNestLogger } from '../logging/nest-logger.js';
import { Metrics } from '../metrics/metrics.js';
import { VALIDATIONS_ROUTE, validationsRouteMissing } from '../auth/validations.route.js';
import { isDraining } from './graceful-shutdown.js';
import { setSecurityHeaders } from './security-headers.js';

/**
 * Everything that is Fastify-specific: the adapter (JSON body limit, proxy
 * trust), request ids, request logs and timings, the media-type rule, the
 * nesting limit, security headers, and a pass-through parser that
 * leaves multipart bodies to the upload reader.
 */
export async function createFastifyApp(config: AppConfig, logger: Logger): Promise<NestFastifyApplication> {
  // Fastify takes a hop count too, although its types only list the other forms.
  const adapter = new FastifyAdapter({ bodyLimit: config.maxJsonBytes, trustProxy: config.trustProxy as boolean | string[] });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    bodyParser: false,
    logger: createNestLogger(logger),
  });
  const fastify = adapter.getInstance();
  const logRequest = createRequestLogger(logger);
  const metrics = app.get(Metrics);
  // Fastify's own JSON parser; text and forms never get this far (the hook below answers 415).
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
  // Forms reach only the introspection route (the hook below answers 415 elsewhere): its fields, last one of a name wins.
  fastify.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  fastify.addHook('onRequest', (request, reply, done) => {
    const requestId = assignRequestId(request.raw, reply.raw);
    (request as { requestId?: string }).requestId = requestId;
    if (logRequest) {
      // Once the response is done; `close` also comes for a request whose client left before its answer.
      reply.raw.once('close', () =>
        logRequest({
          requestId,
          method: request.method,
          route: request.routeOptions.url ?? null,
          status: reply.statusCode,
          responseTime: reply.elapsedTime,
          clientAddress: request.ip,
        }),
      );
    }
    setSecurityHeaders(reply.raw);
    const path = request.url.split('?')[0];
    forbidCachingOfApi(path, reply.raw);
    ignoreBodyOn(request.raw, path);
    const refusal = unsupportedBodyMessage(request.raw, path);
    done(refusal ? new UnsupportedMediaTypeException(refusal) : undefined);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? null, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (isDraining()) reply.header('Connection', 'close');
    done(null, payload);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const json = (request.headers['content-type'] ?? '').startsWith('application/json');
    const problem = json ? jsonBodyProblem(request.body, carriesBody(request.raw)) : undefined;
    done(problem ? new BadRequestException(problem) : undefined);
  });
  return app;
}

/** Once Nest has mounted its routes: ValidationsController is where the token check is answered first (token-check-first.ts). */
export function assertValidationsServed(app: NestFastifyApplication): void {
  if (!app.getHttpAdapter().getInstance().hasRoute({ url: VALIDATIONS_ROUTE, method: 'GET' })) throw validationsRouteMissing();
}
