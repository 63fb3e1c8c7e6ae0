import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { PasskeyDto, PasskeyListDto } from './dto/passkey.dto.js';
import { AddPasskeyDto } from './dto/passkey-requests.dto.js';
import { RegistrationOptionsDto } from './dto/webauthn-options.dto.js';
import { PASSKEY_NOT_ACCEPTED_MESSAGE } from './passkey-errors.js';
import { PasskeyRegistration } from './passkey-registration.service.js';
import { PASSKEY_LIMIT_MESSAGE, PASSKEY_NOT_FOUND_MESSAGE, PasskeysService } from './passkeys.service.js';

const LIMIT_DESCRIPTION = 'The account holds the most passkeys it may (20): remove one first';

@ApiTag('passkeys')
@TokenAuth()
@Controller('api/passkeys')
export class PasskeysController {
  constructor(
    private readonly registration: PasskeyRegistration,
    private readonly passkeys: PasskeysService,
  ) {}

  @Post('registration/options')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start adding a passkey: options for navigator.credentials.create() (challenge single use, 5 minutes)',
  })
  @ApiOkResponse({ type: RegistrationOptionsDto })
  @ApiErrorResponse(409, LIMIT_DESCRIPTION, [PASSKEY_LIMIT_MESSAGE])
  registrationOptions(@Principal() principal: TokenPrincipal): Promise<RegistrationOptionsDto> {
    return this.registration.options(principal.user) as Promise<RegistrationOptionsDto>;
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Finish adding a passkey: the authenticator’s response to the options, verified and kept' })
  @ApiCreatedResponse({ type: PasskeyDto })
  @ApiJsonBodyErrors({ field: 'response', message: 'response is required' })
  @ApiErrorResponse(422, 'Not a valid response to options this account was given (expired, used, wrong origin, no user verification…)', [
    PASSKEY_NOT_ACCEPTED_MESSAGE,
  ])
  @ApiErrorResponse(409, LIMIT_DESCRIPTION, [PASSKEY_LIMIT_MESSAGE])
  add(@Principal() principal: TokenPrincipal, @Body() dto: AddPasskeyDto, @Client() client: ClientInfo): Promise<PasskeyDto> {
    return this.registration.register(principal.user, dto.response, dto.name, client);
  }

  @Get()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The account’s passkeys, newest first' })
  @ApiOkResponse({ type: PasskeyListDto })
  async list(@Principal() principal: TokenPrincipal): Promise<PasskeyListDto> {
    return { passkeys: await this.passkeys.list(principal.user.id) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a passkey: it no longer signs in' })
  @ApiParam({ name: 'id', description: 'The id of one of your passkeys', example: '3f1c9a0e5b7d4e21a8c6f0b2d9e4a7c1' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'success' } })
  @ApiErrorResponse(404, 'Not one of your passkeys', [PASSKEY_NOT_FOUND_MESSAGE])
  async remove(@Principal() principal: TokenPrincipal, @Param('id') id: string, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.passkeys.remove(principal.user.id, id, client);
    return { message: 'success' };
  }
}
