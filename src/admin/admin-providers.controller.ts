import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiKeyAuth } from '../api-keys/api-key-auth.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { Principal } from '../auth/auth.decorators.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { ProviderDto, ProviderListDto } from '../sign-in-providers/dto/provider.dto.js';
import { AdminProvidersService, PROVIDER_EXISTS_MESSAGE, PROVIDER_NOT_FOUND_MESSAGE } from './admin-providers.service.js';
import { AddProviderDto } from './dto/add-provider.dto.js';

@ApiTag('admin')
@Controller('admin/api/providers')
export class AdminProvidersController {
  constructor(private readonly admin: AdminProvidersService) {}

  @Get()
  @HttpCode(200)
  @ApiKeyAuth('providers:read')
  @ApiOperation({ summary: 'The sign-in providers, in the order they were added (never their client secrets)' })
  @ApiOkResponse({ type: ProviderListDto })
  async list(): Promise<ProviderListDto> {
    return { providers: await this.admin.list() };
  }

  @Post()
  @HttpCode(201)
  @ApiKeyAuth('providers:write')
  @ApiOperation({
    summary: 'Add a sign-in provider, as `npm run providers -- add` does; every instance offers it from its next request on',
    description: 'Its redirect URI, to register at the provider: `PUBLIC_URL/one_auth/api/sign_in/{id}/callback`.',
  })
  @ApiCreatedResponse({ type: ProviderDto })
  @ApiJsonBodyErrors({
    field: 'issuer',
    message: 'issuer must be an https URL (http only on localhost/127.0.0.1/[::1]), without query or fragment',
  })
  @ApiErrorResponse(409, 'A provider with this id exists already', [PROVIDER_EXISTS_MESSAGE])
  add(@Body() dto: AddProviderDto, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<ProviderDto> {
    return this.admin.add(dto, { key, client });
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiKeyAuth('providers:write')
  @ApiParam({ name: 'id', description: 'The provider’s id', example: 'google' })
  @ApiOperation({
    summary: 'Remove a sign-in provider: no one signs in with it from the next request on; the identities linked through it are removed',
    description: 'Each account that had one is told as for an unlink (`identity_unlinked` event, `identity.unlinked` webhook).',
  })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Provider removed' } })
  @ApiErrorResponse(404, 'No provider with this id', [PROVIDER_NOT_FOUND_MESSAGE])
  async remove(@Param('id') id: string, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.admin.remove(id, { key, client });
    return { message: 'Provider removed' };
  }
}
