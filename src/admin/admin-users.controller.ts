import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiKeyAuth } from '../api-keys/api-key-auth.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { Principal } from '../auth/auth.decorators.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { TOO_MANY_CODES_MESSAGE } from '../rate-limit/limit-messages.js';
import { ACCOUNT_DISABLED_MESSAGE, AdminUsersService, USER_NOT_FOUND_MESSAGE } from './admin-users.service.js';
import { AdminUserDto, AdminUserListDto } from './dto/admin-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { SetStatusDto } from './dto/set-status.dto.js';

const ID_PARAM = {
  name: 'id',
  description: 'The account id (from the list)',
  example: 42,
  schema: { type: 'integer', minimum: 1 },
} as const;

/** An id as given in the path; anything but a positive integer is an account that does not exist. */
function idOf(raw: string): number {
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : 0;
}

@ApiTag('admin')
@Controller('admin/api/users')
export class AdminUsersController {
  constructor(private readonly admin: AdminUsersService) {}

  @Get()
  @HttpCode(200)
  @ApiKeyAuth('users:read')
  @ApiOperation({ summary: 'List accounts in a stable order (id), filtered by email prefix and status; paged by cursor' })
  @ApiOkResponse({ type: AdminUserListDto })
  @ApiErrorResponse(400, 'A cursor this service did not make, a limit outside 1–100, or an unknown status', [
    { message: 'cursor is not valid', errors: [{ field: 'cursor', message: 'cursor is not valid' }] },
    { message: 'limit must be an integer from 1 to 100', errors: [{ field: 'limit', message: 'limit must be an integer from 1 to 100' }] },
  ])
  list(@Query() query: ListUsersQuery): Promise<AdminUserListDto> {
    return this.admin.list(query);
  }

  @Get(':id')
  @HttpCode(200)
  @ApiKeyAuth('users:read')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'One account: status, profile, live sessions, second factors, the last 20 security events' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrorResponse(404, 'No account with this id', [USER_NOT_FOUND_MESSAGE])
  detail(@Param('id') id: string): Promise<AdminUserDto> {
    return this.admin.detail(idOf(id));
  }

  @Put(':id/status')
  @HttpCode(200)
  @ApiKeyAuth('users:write')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    summary: 'Disable an account (every session signed out, logins refused as a wrong password) or lift the disable',
    description:
      'A change is an event in the account’s log (`account_disabled`, `account_enabled`) and a webhook (`user.disabled`, ' +
      '`user.enabled` with the status the account is back to), with the change. Asking for the status the account has already changes and tells nothing.',
  })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiJsonBodyErrors({ field: 'status', message: 'status must be "disabled" or "active"' })
  @ApiErrorResponse(404, 'No account with this id', [USER_NOT_FOUND_MESSAGE])
  setStatus(
    @Param('id') id: string,
    @Body() dto: SetStatusDto,
    @Principal() key: ApiKeyPrincipal,
    @Client() client: ClientInfo,
  ): Promise<AdminUserDto> {
    return this.admin.setStatus(idOf(id), dto.status, { key, client });
  }

  @Delete(':id/sessions')
  @HttpCode(200)
  @ApiKeyAuth('users:write')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Sign the account out everywhere: every token revoked' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiErrorResponse(404, 'No account with this id', [USER_NOT_FOUND_MESSAGE])
  async revokeSessions(@Param('id') id: string, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.admin.revokeSessions(idOf(id), { key, client });
    return { message: 'success' };
  }

  @Delete(':id/second_factor')
  @HttpCode(200)
  @ApiKeyAuth('users:write')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Remove the authenticator app and recovery codes (passkeys stay); every session signed out, a notice mailed' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Second factor removed' } })
  @ApiErrorResponse(404, 'No account with this id', [USER_NOT_FOUND_MESSAGE])
  async removeSecondFactor(@Param('id') id: string, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.admin.removeSecondFactor(idOf(id), { key, client });
    return { message: 'Second factor removed' };
  }

  @Post(':id/password_reset')
  @HttpCode(202)
  @ApiKeyAuth('users:write')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Mail the account a code, as POST /validation_code does: with it, PUT /user sets a new password' })
  @ApiAcceptedResponse({ type: MessageDto, example: { message: 'A code has been sent' } })
  @ApiErrorResponse(404, 'No account with this id', [USER_NOT_FOUND_MESSAGE])
  @ApiErrorResponse(422, 'The account is disabled: enable it first', [ACCOUNT_DISABLED_MESSAGE])
  @ApiRateLimited('Too many codes mailed to this address, or from this client address', TOO_MANY_CODES_MESSAGE)
  async sendPasswordReset(@Param('id') id: string, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.admin.sendPasswordReset(idOf(id), { key, client });
    return { message: 'A code has been sent' };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiKeyAuth('users:write')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Erase the account and everything held about it, as DELETE /user does; a last mail tells the owner' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Account deleted' } })
  @ApiErrorResponse(404, 'No account with this id', [USER_NOT_FOUND_MESSAGE])
  async erase(@Param('id') id: string, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.admin.erase(idOf(id), { key, client });
    return { message: 'Account deleted' };
  }
}
