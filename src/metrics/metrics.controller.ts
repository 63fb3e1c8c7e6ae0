import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, HttpCode, Inject, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { BEARER_SCHEME } from '../auth/auth.decorators.js';
import { ErrorResponseDto } from '../common/dto/message.dto.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { Metrics } from './metrics.js';

export const BAD_METRICS_TOKEN_MESSAGE = 'Metrics token is not correct';

/** RFC 6750: the scheme name is case-insensitive. */
const BEARER = /^bearer +(\S+) *$/i;
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Prometheus text format, outside the API: for the operator's scraper, not for clients. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  private readonly expected: Buffer | undefined;

  constructor(
    private readonly metrics: Metrics,
    @Inject(appConfig.KEY) config: AppConfigType,
  ) {
    this.expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  }

  @Get()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({ summary: 'Prometheus metrics (Bearer METRICS_TOKEN when the service has one)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, example: { message: BAD_METRICS_TOKEN_MESSAGE } })
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    // Digests of equal length, compared in constant time: the answer's timing says nothing of the token.
    const presented = BEARER.exec(authorization ?? '')?.[1] ?? '';
    if (this.expected && !timingSafeEqual(digest(presented), this.expected)) {
      throw new UnauthorizedException(BAD_METRICS_TOKEN_MESSAGE);
    }
    return this.metrics.registry.metrics();
  }
}
