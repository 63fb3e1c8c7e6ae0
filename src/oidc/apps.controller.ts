import { Controller, Delete, Get, Header, HttpCode, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { AppListDto } from './dto/app.dto.js';
import { APP_NOT_FOUND_MESSAGE, OidcAccountService } from './oidc-account.service.js';

/** The apps a person let in through "Sign in with one_auth" (50), as with Google or GitHub. */
@ApiTag('apps')
@TokenAuth()
@Controller('api/user/apps')
export class AppsController {
  constructor(private readonly account: OidcAccountService) {}

  @Get()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The apps you let in through Sign in with one_auth, with what each may see' })
  @ApiOkResponse({ type: AppListDto })
  async list(@Principal() principal: TokenPrincipal): Promise<AppListDto> {
    return { apps: await this.account.apps(principal.user.id) };
  }

  @Delete(':client_id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an app: its sessions, refresh and access tokens end at once, it is sent a back-channel logout, and it must ask again',
  })
  @ApiParam({ name: 'client_id', description: 'The client id of one of your apps', example: '3f9a1c0e5b7d4e21a8c6f0b2d9e4a7c1' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiErrorResponse(404, 'Not one of your apps', [APP_NOT_FOUND_MESSAGE])
  async revoke(@Principal() principal: TokenPrincipal, @Param('client_id') clientId: string): Promise<MessageDto> {
    await this.account.revokeApp(principal.user.id, clientId);
    return { message: 'success' };
  }
}
