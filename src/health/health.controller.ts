import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { LiveDto, ReadyDto } from './dto/health.dto.js';

const READY_TIMEOUT_MS = 2_000;
export const DATABASE_DOWN_MESSAGE = 'Database unavailable';

/**
 * Liveness (the process answers) and readiness (the database answers, within
 * a bounded time). A ping is all readiness needs, so no health framework.
 */
@ApiTag('health')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  @ApiOperation({ summary: 'The service can serve: the database answers' })
  @ApiOkResponse({ type: ReadyDto })
  @ApiErrorResponse(503, 'The database did not answer within 2 s', [DATABASE_DOWN_MESSAGE])
  async ready(): Promise<ReadyDto> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      return { status: 'ok', database: 'up' };
    } catch {
      throw new ServiceUnavailableException(DATABASE_DOWN_MESSAGE);
    } finally {
      clearTimeout(timer);
    }
  }
}
