import { Controller, Delete, Get, HttpCode, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { MessageDto } from '../common/dto/message.dto.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { Client, type ClientInfo } from '../common/client-info.js';
import { toUserProfile } from '../profile/dto/user-profile.dto.js';
import { ProfileService } from '../profile/profile.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { PasswordAuth, Principal, TokenAuth } from './auth.decorators.js';
import { AccessTokensService, type TokenPrincipal } from './access-tokens.service.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { LogoutQueryDto } from './dto/logout-query.dto.js';

@ApiTag('access tokens')
@Controller('api/access_tokens')
export class AccessTokensController {
  constructor(
    private readonly tokens: AccessTokensService,
    private readonly profiles: ProfileService,
  ) {}

  @Get()
  @HttpCode(200)
  @PasswordAuth()
  @ApiOperation({ summary: 'Log in: a new access token for this device (Basic email:password)' })
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Principal() user: UserEntity, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    const [accessToken, profile] = await Promise.all([this.tokens.login(user.id, client), this.profiles.read(user.id)]);
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
    await this.tokens.logout(principal, query.scope, client);
    return { message: 'success' };
  }
}
