import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiKeyAuth } from '../api-keys/api-key-auth.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { Principal } from '../auth/auth.decorators.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { AdminClientsService, CLIENT_NOT_FOUND_MESSAGE, PUBLIC_CLIENT_SECRET_MESSAGE } from './admin-clients.service.js';
import { ClientDto, ClientListDto, ClientSecretDto, ClientWithSecretDto } from './dto/client.dto.js';
import { CreateClientDto, UpdateClientDto } from './dto/client-registration.dto.js';

const CLIENT_ID_PARAM = {
  name: 'client_id',
  description: 'The client id (from the list)',
  example: '3f9a1c0e5b7d4e21a8c6f0b2d9e4a7c1',
} as const;
const REDIRECT_URI_ERROR = {
  field: 'redirect_uris',
  message: 'redirect_uris: "http://wiki.example.com/cb" may use http only on localhost, 127.0.0.1 or [::1]',
};

/** The apps that sign in with one_auth, registered by operators with an API key (clients:read, clients:write); every change audited. */
@ApiTag('clients')
@Controller('admin/api/clients')
export class AdminClientsController {
  constructor(private readonly clients: AdminClientsService) {}

  @Get()
  @HttpCode(200)
  @ApiKeyAuth('clients:read')
  @ApiOperation({ summary: 'List the registered clients, in the order they were registered; never their secrets' })
  @ApiOkResponse({ type: ClientListDto })
  async list(): Promise<ClientListDto> {
    return { clients: await this.clients.list() };
  }

  @Post()
  @HttpCode(201)
  @ApiKeyAuth('clients:write')
  @ApiOperation({ summary: 'Register a client; a confidential one’s secret is in the answer, this once' })
  @ApiCreatedResponse({ type: ClientWithSecretDto })
  @ApiJsonBodyErrors(REDIRECT_URI_ERROR)
  create(@Body() dto: CreateClientDto, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<ClientWithSecretDto> {
    return this.clients.create(dto, { key, client });
  }

  @Get(':client_id')
  @HttpCode(200)
  @ApiKeyAuth('clients:read')
  @ApiParam(CLIENT_ID_PARAM)
  @ApiOperation({ summary: 'One registered client' })
  @ApiOkResponse({ type: ClientDto })
  @ApiErrorResponse(404, 'No client with this id', [CLIENT_NOT_FOUND_MESSAGE])
  get(@Param('client_id') clientId: string): Promise<ClientDto> {
    return this.clients.get(clientId);
  }

  @Patch(':client_id')
  @HttpCode(200)
  @ApiKeyAuth('clients:write')
  @ApiParam(CLIENT_ID_PARAM)
  @ApiOperation({ summary: 'Change what is given, keep the rest; a public client made confidential gets a secret, shown this once' })
  @ApiOkResponse({ type: ClientWithSecretDto })
  @ApiJsonBodyErrors(REDIRECT_URI_ERROR)
  @ApiErrorResponse(404, 'No client with this id', [CLIENT_NOT_FOUND_MESSAGE])
  update(
    @Param('client_id') clientId: string,
    @Body() dto: UpdateClientDto,
    @Principal() key: ApiKeyPrincipal,
    @Client() client: ClientInfo,
  ): Promise<ClientWithSecretDto> {
    return this.clients.update(clientId, dto, { key, client });
  }

  @Delete(':client_id')
  @HttpCode(200)
  @ApiKeyAuth('clients:write')
  @ApiParam(CLIENT_ID_PARAM)
  @ApiOperation({ summary: 'Delete a client: its sessions, grants and tokens end with it' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiErrorResponse(404, 'No client with this id', [CLIENT_NOT_FOUND_MESSAGE])
  async delete(@Param('client_id') clientId: string, @Principal() key: ApiKeyPrincipal, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.clients.delete(clientId, { key, client });
    return { message: 'success' };
  }

  @Post(':client_id/secret')
  @HttpCode(200)
  @ApiKeyAuth('clients:write')
  @ApiParam(CLIENT_ID_PARAM)
  @ApiOperation({ summary: 'A new secret for a confidential client, shown this once; the old one stops working at once' })
  @ApiOkResponse({ type: ClientSecretDto })
  @ApiErrorResponse(404, 'No client with this id', [CLIENT_NOT_FOUND_MESSAGE])
  @ApiErrorResponse(409, 'The client is public (no secret)', [PUBLIC_CLIENT_SECRET_MESSAGE])
  rotateSecret(
    @Param('client_id') clientId: string,
    @Principal() key: ApiKeyPrincipal,
    @Client() client: ClientInfo,
  ): Promise<ClientSecretDto> {
    return this.clients.rotateSecret(clientId, { key, client });
  }
}
