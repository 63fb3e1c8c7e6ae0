import { Controller, Delete, Get, HttpCode, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { toUserProfile } from '../profile/dto/user-profile.dto.js';
import { ProfileService } from '../profile/profile.service.js';
import type { Account } from '../users/users.service.js';
import { PasswordAuth, Principal, TokenAuth } from './auth.decorators.js';
import type { TokenPrincipal } from './access-tokens.service.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { LogoutQueryDto } from './dto/logout-query.dto.js';
import { SessionsService } from './sessions.service.js';

@ApiTag('access tokens')
@Controller('api/access_tokens')
export class AccessTokensController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly profiles: ProfileService,
  ) {}

  @Get()
  @HttpCode(200)
  @PasswordAuth()
  @ApiOperation({ summary: 'Log in: a new access token for this device (Basic email:password)' })
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Principal() user: Account, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    const [accessToken, profile] = await Promise.all([this.sessions.login(user.id, client), this.profiles.read(user.id)]);
    return { access_token: accessToken, user_profile: toUserProfile(user.email, profile) };
  }

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
