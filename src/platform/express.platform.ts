import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule } from '../app.module.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, TOO_DEEP_MESSAGE, unsupportedBodyMessage } from '../common/body-type.js';
import { toErrorResponse } from '../common/error-response.js';
import { assignRequestId } from '../common/request-id.js';
import type { AppConfig } from '../config/app-config.js';

/**
 * Security headers on every answer. Uploaded images are meant to be shown by
 * other sites (avatars), so resources may be loaded cross-origin; reading
 * JSON cross-origin is still up to CORS, which stays closed.
 */
export const HELMET_OPTIONS = { crossOriginResourcePolicy: { policy: 'cross-origin' } } as const;

/**
 * Everything that is Express-specific: the adapter, proxy trust, request ids,
 * the media-type rule and the JSON body parser with its limit. (Multipart is
 * multer, set up in the images module; files are served as StreamableFile.)
 */
export async function createExpressApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), {
    bodyParser: false,
    logger: config.logLevels,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(helmet(HELMET_OPTIONS));
  app.use((request: Request, response: Response, next: NextFunction) => {
    assignRequestId(request, response);
    const refusal = unsupportedBodyMessage(request, request.path);
    next(refusal ? new UnsupportedMediaTypeException(refusal) : undefined);
  });
  app.useBodyParser('json', { limit: config.maxJsonBytes });
  // Validation walks the body recursively: refuse absurd nesting before it does.
  app.use((request: Request, _response: Response, next: NextFunction) => {
    next(nestsDeeperThan(request.body, MAX_JSON_DEPTH) ? new BadRequestException(TOO_DEEP_MESSAGE) : undefined);
  });
  return app;
}

/**
 * After Nest has mounted its routes (under /one_auth): anything outside the
 * prefix still answers in the API's shape instead of Express's HTML pages.
 */
export function finishExpressApp(app: NestExpressApplication): void {
  const express = app.getHttpAdapter().getInstance();
  express.use((_request: Request, response: Response) => {
    response.status(404).json({ message: 'Not found' });
  });
  express.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { status, body, headers } = toErrorResponse(error);
    response.status(status).set(headers).json(body);
  });
}
