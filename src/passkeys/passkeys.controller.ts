import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { WRONG_PASSWORD_MESSAGE } from '../auth/auth.service.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { PasskeyDto, PasskeyListDto } from './dto/passkey.dto.js';
import { AddPasskeyDto, PasskeyRegistrationOptionsRequestDto } from './dto/passkey-requests.dto.js';
import { RegistrationOptionsDto } from './dto/webauthn-options.dto.js';
import { PASSKEY_NOT_ACCEPTED_MESSAGE } from './passkey-errors.js';
import { PasskeyRegistration } from './passkey-registration.service.js';
import { SIGN_IN_AGAIN_MESSAGE } from './passkey-step-up.service.js';
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
    description:
      'A token alone cannot add a passkey: send the password (and `code` when the account has two-step login). ' +
      'An account without a password sends neither, and needs a token from a sign-in less than 10 minutes old. ' +
      'Refused, no challenge is made.',
  })
  @ApiBody({
    type: PasskeyRegistrationOptionsRequestDto,
    examples: {
      password: { summary: 'An account with a password', value: { password: 'correct horse battery staple' } },
      'two-step': { summary: 'With two-step login: a code too', value: { password: 'correct horse battery staple', code: '492039' } },
      'no password': { summary: 'An account without a password, signed in less than 10 minutes ago', value: {} },
    },
  })
  @ApiOkResponse({ type: RegistrationOptionsDto })
  @ApiJsonBodyErrors({ field: 'password', message: 'password is required' })
  @ApiErrorResponse(422, 'The password is wrong, or (two-step login) the code is missing or wrong: both counted as failed logins', [
    WRONG_PASSWORD_MESSAGE,
    INVALID_CODE_MESSAGE,
  ])
  @ApiErrorResponse(403, 'The account has no password and the token’s sign-in is 10 minutes old or more: sign in again', [
    SIGN_IN_AGAIN_MESSAGE,
  ])
  @ApiErrorResponse(409, LIMIT_DESCRIPTION, [PASSKEY_LIMIT_MESSAGE])
  @ApiRateLimited('Too many failed logins (wrong passwords and wrong codes together)', TOO_MANY_LOGINS_MESSAGE)
  registrationOptions(
    @Principal() principal: TokenPrincipal,
    @Body() dto: PasskeyRegistrationOptionsRequestDto,
    @Client() client: ClientInfo,
  ): Promise<RegistrationOptionsDto> {
    return this.registration.options(principal, dto, client) as Promise<RegistrationOptionsDto>;
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
