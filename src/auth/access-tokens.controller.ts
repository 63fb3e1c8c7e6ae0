import { Controller, Delete, Get, HttpCode, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto, MessageDto } from '../common/dto/message.dto.js';
import { toUserProfile } from '../profile/dto/user-profile.dto.js';
import { ProfileService } from '../profile/profile.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { PasswordAuth, Principal, TokenAuth } from './auth.decorators.js';
import { AccessTokensService, type TokenPrincipal } from './access-tokens.service.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { LogoutQueryDto } from './dto/logout-query.dto.js';

@ApiTags('access tokens')
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
  async login(@Principal() user: UserEntity): Promise<LoginResponseDto> {
    const [accessToken, profile] = await Promise.all([this.tokens.issue(user.id), this.profiles.read(user.id)]);
    return { access_token: accessToken, user_profile: toUserProfile(user.email, profile) };
  }

  @Delete()
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({ summary: 'Log out: revoke this token, or with ?scope=all every token of the account' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async logout(@Principal() principal: TokenPrincipal, @Query() query: LogoutQueryDto): Promise<MessageDto> {
    if (query.scope === 'all') await this.tokens.revokeAll(principal.user.id);
    else await this.tokens.revoke(principal.tokenId);
    return { message: 'success' };
  }
}
