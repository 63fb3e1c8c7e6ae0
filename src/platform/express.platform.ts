import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { AppModule } from '../app.module.js';
import { carriesBody, ignoreBodyOn, jsonBodyProblem, takesForm, unsupportedBodyMessage } from '../http/body-type.js';
import { forbidCachingOfApi } from '../http/cache-policy.js';
import { toErrorResponse } from '../http/error-response.js';
import { isDraining } from './graceful-shutdown.js';
import { setSecurityHeaders } from './security-headers.js';
import type { RequestRecorder } from '../http/request-recorder.js';
import type { AppConfig } from '../config/app-config.js';
import { createNestLogger } from '../logging/nest-logger.js';
import { VALIDATIONS_ROUTE, validationsRouteMissing } from '../auth/validations.route.js';
import type { OidcMount } from '../oidc/oidc-mount.js';

/**
 * Everything that is Express-specific: the adapter, proxy trust, the
 * pipeline ahead of Nest's router (requestPipeline) and the answers outside
 * Nest's routes (finishExpressApp). (Multipart is read by the images
 * module; files are served as StreamableFile.)
 */
export async function createExpressApp(config: AppConfig, logger: Logger): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), {
    bodyParser: false,
    logger: createNestLogger(logger),
  });
  app.disable('x-powered-by');
  // No ETag: API answers are never cached (no-store), and images are immutable.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  return app;
}

/**
 * What comes before Nest's router, in one middleware: the request's record
 * (id first; timing and line once answered), security headers, draining,
 * caching, the media-type rule and the JSON body parser with its limit;
 * the OpenID Provider's paths go to it instead, after the record and the
 * headers (oidc-mount.ts). Each step is cheap, a middleware per step is not (Express's dispatch
 * costs more than most of them).
 */
export function requestPipeline(config: AppConfig, recorder: RequestRecorder, oidc?: OidcMount) {
  const parseJson = express.json({ limit: config.maxJsonBytes });
  const parseForm = express.urlencoded({ limit: config.maxJsonBytes, extended: false });
  return (request: Request, response: Response, next: NextFunction) => {
    recorder.observe(request, response);
    setSecurityHeaders(response);
    if (isDraining()) response.setHeader('Connection', 'close');
    const path = request.path;
    // The OpenID Provider under its issuer's path reads its own bodies (forms, as OAuth clients send them).
    if (oidc?.serves(path)) return oidc.handle(request, response, next);
    forbidCachingOfApi(path, response);
    ignoreBodyOn(request, path);
    // Most requests carry no body: nothing to refuse or to parse.
    if (!carriesBody(request)) return next();
    const refusal = unsupportedBodyMessage(request, path);
    if (refusal) return next(new UnsupportedMediaTypeException(refusal));
    if (takesForm(path)) return parseForm(request, response, next);
    parseJson(request, response, (error?: unknown) => {
      if (error) return next(error);
      const problem = request.is('application/json') ? jsonBodyProblem(request.body, true) : undefined;
      next(problem ? new BadRequestException(problem) : undefined);
    });
  };
}

/**
 * After Nest has mounted its routes (under /one_auth): anything outside the
 * prefix still answers in the API's shape instead of Express's HTML pages.
 */
export function finishExpressApp(app: NestExpressApplication): void {
  const express = app.getHttpAdapter().getInstance();
  // ValidationsController, where the token check is answered first (token-check-first.ts).
  const validations = (express.router.stack as { route?: { path?: string } }[]).filter((layer) => layer.route?.path === VALIDATIONS_ROUTE);
  if (validations.length !== 1) throw validationsRouteMissing();
  express.use((_request: Request, response: Response) => {
    response.status(404).json({ message: 'Not found' });
  });
  express.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { status, body, headers } = toErrorResponse(error);
    response.status(status).set(headers).json(body);
  });
}
