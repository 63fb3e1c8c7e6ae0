import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, HttpCode, Inject, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { BEARER_SCHEME } from '../auth/auth.decorators.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { ApiUnauthorized } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { Metrics } from './metrics.js';

export const BAD_METRICS_TOKEN_MESSAGE = 'Metrics token is not correct';

/** RFC 6750: the scheme name is case-insensitive. */
const BEARER = /^bearer +(\S+) *$/i;
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Prometheus text format, outside the API: for the operator's scraper, not for clients. */
@ApiTag('operations')
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
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example: '# TYPE one_auth_logins_total counter\none_auth_logins_total{outcome="success"} 3\n',
      },
    },
  })
  @ApiUnauthorized(BAD_METRICS_TOKEN_MESSAGE)
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    // Digests of equal length, compared in constant time: the answer's timing says nothing of the token.
    const presented = BEARER.exec(authorization ?? '')?.[1] ?? '';
    if (this.expected && !timingSafeEqual(digest(presented), this.expected)) {
      throw new UnauthorizedException(BAD_METRICS_TOKEN_MESSAGE);
    }
    return this.metrics.registry.metrics();
  }
}
