import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule } from '../app.module.js';
import { carriesBody, jsonBodyProblem, unsupportedBodyMessage } from '../common/body-type.js';
import { toErrorResponse } from '../common/error-response.js';
import { isDraining } from './graceful-shutdown.js';
import { HELMET_OPTIONS } from './helmet-options.js';
import { assignRequestId } from '../common/request-id.js';
import type { AppConfig } from '../config/app-config.js';

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
    if (isDraining()) response.setHeader('Connection', 'close');
    const refusal = unsupportedBodyMessage(request, request.path);
    next(refusal ? new UnsupportedMediaTypeException(refusal) : undefined);
  });
  app.useBodyParser('json', { limit: config.maxJsonBytes });
  app.use((request: Request, _response: Response, next: NextFunction) => {
    const problem = request.is('application/json') ? jsonBodyProblem(request.body, carriesBody(request)) : undefined;
    next(problem ? new BadRequestException(problem) : undefined);
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
