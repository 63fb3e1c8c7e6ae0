import { Controller, Get, HttpCode, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminAudit } from '../admin-audit/admin-audit.service.js';
import { ApiKeyAuth } from '../api-keys/api-key-auth.js';
import { decodeCursor, pageOf, parsePageSize } from '../http/page-cursor.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { isoTime } from '../users/account-data.js';
import { AuditListDto } from './dto/audit-entry.dto.js';
import { PageQuery } from './dto/list-users.query.js';

@ApiTag('admin')
@Controller('admin/api/audit')
export class AdminAuditController {
  constructor(private readonly audit: AdminAudit) {}

  @Get()
  @HttpCode(200)
  @ApiKeyAuth('users:read')
  @ApiOperation({ summary: 'The audit log: every change made through the admin API, newest first, paged by cursor' })
  @ApiOkResponse({ type: AuditListDto })
  @ApiErrorResponse(400, 'A cursor this service did not make, or a limit outside 1–100', [
    { message: 'cursor is not valid', errors: [{ field: 'cursor', message: 'cursor is not valid' }] },
  ])
  async list(@Query() query: PageQuery): Promise<AuditListDto> {
    const limit = parsePageSize(query.limit);
    const rows = await this.audit.page(decodeCursor(query.cursor), limit + 1);
    const { items, nextCursor } = pageOf(rows, limit);
    return {
      entries: items.map((entry) => ({
        id: entry.id,
        at: isoTime(entry.at),
        key_name: entry.keyName,
        action: entry.action,
        user_id: entry.targetUserId,
        ...(entry.targetClientId === null ? {} : { client_id: entry.targetClientId }),
        email: entry.targetEmail,
        provider: entry.targetProvider,
        client_address: entry.clientAddress,
      })),
      next_cursor: nextCursor,
    };
  }
}
