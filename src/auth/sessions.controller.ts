import { Controller, Delete, Get, Header, HttpCode, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { AccessTokensService, type TokenPrincipal } from './access-tokens.service.js';
import { Principal, TokenAuth } from './auth.decorators.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { SessionListDto } from './dto/session.dto.js';
import { SESSION_NOT_FOUND_MESSAGE, SessionsService } from './sessions.service.js';

@ApiTag('sessions')
@TokenAuth()
@Controller('api/sessions')
export class SessionsController {
  constructor(
    private readonly tokens: AccessTokensService,
    private readonly sessions: SessionsService,
  ) {}

  @Get()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Where the account is signed in: its live sessions, newest first' })
  @ApiOkResponse({ type: SessionListDto })
  async list(@Principal() principal: TokenPrincipal): Promise<SessionListDto> {
    return { sessions: await this.tokens.listSessions(principal.user.id, principal.tokenId) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign a session out: its token stops working everywhere' })
  @ApiParam({ name: 'id', description: 'The public id of one of your live sessions', example: '9f86d081884c7d659a2feaa0c55ad015' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiErrorResponse(404, 'Not one of your live sessions', [SESSION_NOT_FOUND_MESSAGE])
  async revoke(@Principal() principal: TokenPrincipal, @Param('id') id: string, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.sessions.revoke(principal, id, client);
    return { message: 'success' };
  }
}
