import { Controller, Delete, HttpCode, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { Principal, TokenAuth } from './auth.decorators.js';
import type { TokenPrincipal } from './access-tokens.service.js';
import { LogoutQueryDto } from './dto/logout-query.dto.js';
import { SessionsService } from './sessions.service.js';

/** Logging out. Logging in (GET on this path) is the second-factor module's: see TwoStepLoginController. */
@ApiTag('access tokens')
@Controller('api/access_tokens')
export class AccessTokensController {
  constructor(private readonly sessions: SessionsService) {}

  @Delete()
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({ summary: 'Log out: revoke this token, or with ?scope=all every token of the account' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiErrorResponse(400, 'An unknown scope', [
    { message: "scope must be 'all'", errors: [{ field: 'scope', message: "scope must be 'all'" }] },
  ])
  async logout(@Principal() principal: TokenPrincipal, @Query() query: LogoutQueryDto, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.sessions.logout(principal, query.scope, client);
    return { message: 'success' };
  }
}
