import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { IdentityListDto } from '../identities/dto/identity.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { LinkUrlDto, ReturnToDto } from './dto/sign-in-requests.dto.js';
import { IDENTITY_NOT_FOUND_MESSAGE, IdentityLinks, LAST_WAY_IN_MESSAGE, SIGN_IN_AGAIN_TO_LINK_MESSAGE } from './identity-links.service.js';
import { PROVIDER_NOT_FOUND_MESSAGE, PROVIDER_UNAVAILABLE_MESSAGE, RETURN_TO_NOT_ALLOWED_MESSAGE } from './social-sign-in.service.js';

@ApiTag('sign-in with another provider')
@TokenAuth()
@Controller('api/user/identities')
export class IdentitiesController {
  constructor(private readonly links: IdentityLinks) {}

  @Get()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The accounts of other providers linked to this one, newest first' })
  @ApiOkResponse({ type: IdentityListDto })
  async list(@Principal() principal: TokenPrincipal): Promise<IdentityListDto> {
    return { identities: await this.links.list(principal.user.id) };
  }

  // `:id`, as the unlink's: one path template, the provider's id here and the identity's there.
  @Post(':id')
  @HttpCode(200)
  @ApiParam({ name: 'id', description: 'The id of a provider of GET /providers', example: 'google' })
  @ApiOperation({
    summary: 'Start linking an account of another provider: a URL for the person’s browser',
    description:
      'Needs a token from a sign-in less than 10 minutes old: linking adds a lasting way in. The browser comes back to ' +
      '`return_to` with `linked=true`, or `error` (`already_linked` when that account of the provider signs another one in).',
  })
  @ApiOkResponse({ type: LinkUrlDto })
  @ApiJsonBodyErrors({ field: 'return_to', message: RETURN_TO_NOT_ALLOWED_MESSAGE })
  @ApiErrorResponse(403, 'The token’s sign-in is 10 minutes old or more: sign in again', [SIGN_IN_AGAIN_TO_LINK_MESSAGE])
  @ApiErrorResponse(404, 'No provider with this id', [PROVIDER_NOT_FOUND_MESSAGE])
  @ApiErrorResponse(503, 'The provider cannot be reached, or the database is unavailable', [PROVIDER_UNAVAILABLE_MESSAGE])
  async link(@Principal() principal: TokenPrincipal, @Param('id') provider: string, @Body() dto: ReturnToDto): Promise<LinkUrlDto> {
    return { url: await this.links.startLink(principal, provider, dto.return_to, dto.state) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiParam({ name: 'id', description: 'The id of one of your identities', example: '8d2f0c4b1e9a47f3a5c6d7e8f9012345' })
  @ApiOperation({ summary: 'Unlink an account of another provider: it no longer signs in here' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiErrorResponse(404, 'Not one of your identities', [IDENTITY_NOT_FOUND_MESSAGE])
  @ApiErrorResponse(409, 'The account has no password, no passkey and no other identity: this is its last way in', [LAST_WAY_IN_MESSAGE])
  async unlink(@Principal() principal: TokenPrincipal, @Param('id') id: string, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.links.unlink(principal, id, client);
    return { message: 'success' };
  }
}
