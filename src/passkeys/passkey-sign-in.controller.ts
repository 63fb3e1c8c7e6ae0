import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { LoginResponseDto } from '../auth/dto/login-response.dto.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { ApiDatabaseUnavailable, ApiJsonBodyErrors, ApiRateLimited, ApiUnauthorized } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { LOGIN_EXPIRED_MESSAGE } from '../second-factor/second-factor-messages.js';
import { AuthenticationOptionsDto } from './dto/webauthn-options.dto.js';
import { PasskeyOptionsRequestDto, PasskeySignInDto } from './dto/passkey-requests.dto.js';
import { PASSKEY_NOT_ACCEPTED_MESSAGE } from './passkey-errors.js';
import { PasskeySignIn } from './passkey-sign-in.service.js';

/** Signing in with a passkey (31): no credentials in the request but the passkey's own signature. */
@ApiTag('passkeys')
@Controller('api')
export class PasskeySignInController {
  constructor(private readonly signIns: PasskeySignIn) {}

  @Post('passkeys/authentication/options')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start signing in with a passkey: options for navigator.credentials.get() (challenge single use, 5 minutes)',
  })
  @ApiOkResponse({ type: AuthenticationOptionsDto })
  @ApiJsonBodyErrors({ field: 'mfa_token', message: 'mfa_token must be a string' })
  @ApiUnauthorized(LOGIN_EXPIRED_MESSAGE)
  @ApiDatabaseUnavailable()
  authenticationOptions(@Body() dto: PasskeyOptionsRequestDto): Promise<AuthenticationOptionsDto> {
    return this.signIns.options(dto.mfa_token) as Promise<AuthenticationOptionsDto>;
  }

  @Post('access_tokens/passkey')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with a passkey: a new access token for this device, as a password login gives' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiJsonBodyErrors({ field: 'response', message: 'response is required' })
  @ApiUnauthorized(PASSKEY_NOT_ACCEPTED_MESSAGE, LOGIN_EXPIRED_MESSAGE)
  @ApiRateLimited('Too many failed logins (the login limits)', TOO_MANY_LOGINS_MESSAGE)
  @ApiDatabaseUnavailable()
  signIn(@Body() dto: PasskeySignInDto, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    return this.signIns.signIn(dto.response, dto.mfa_token, client);
  }
}
