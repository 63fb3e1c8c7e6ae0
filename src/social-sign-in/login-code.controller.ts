import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { LoginResponseDto } from '../auth/dto/login-response.dto.js';
import { WWW_AUTHENTICATE } from '../http/error-response.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { ErrorResponseDto } from '../http/message.dto.js';
import { ApiDatabaseUnavailable, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { SecondFactorRequiredDto } from '../second-factor/dto/login.dto.js';
import { LOGIN_EXPIRED_MESSAGE, SECOND_FACTOR_REQUIRED_MESSAGE } from '../second-factor/second-factor-messages.js';
import { LoginCodeDto } from './dto/sign-in-requests.dto.js';
import { LoginCodeLogin } from './login-code-login.service.js';

@ApiTag('sign-in with another provider')
@ApiExtraModels(SecondFactorRequiredDto)
@Controller('api/access_tokens/login_code')
export class LoginCodeController {
  constructor(private readonly logins: LoginCodeLogin) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange the login code of a sign-in with another provider for a token (as a login with the password)',
    description:
      'On an account with two-step login: 401 `Second factor required` with an `mfa_token`, as a password login answers; ' +
      'finish with POST /access_tokens/second_factor or /access_tokens/passkey.',
  })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiJsonBodyErrors({ field: 'login_code', message: 'login_code is required' })
  @ApiResponse({
    status: 401,
    description: 'The code is unknown, used or expired (Login expired); or the account needs its second step',
    schema: { anyOf: [{ $ref: getSchemaPath(ErrorResponseDto) }, { $ref: getSchemaPath(SecondFactorRequiredDto) }] },
    examples: {
      [LOGIN_EXPIRED_MESSAGE]: { summary: LOGIN_EXPIRED_MESSAGE, value: { message: LOGIN_EXPIRED_MESSAGE } },
      [SECOND_FACTOR_REQUIRED_MESSAGE]: {
        summary: SECOND_FACTOR_REQUIRED_MESSAGE,
        value: {
          message: SECOND_FACTOR_REQUIRED_MESSAGE,
          mfa_token: 'Xq3c7m1ZP0bW8kq2LwA4s9VtHfY6nJrD5eGuKiO2cTz',
          methods: ['totp', 'recovery_code'],
        },
      },
    },
    headers: {
      'WWW-Authenticate': { description: 'The Basic challenge', required: true, schema: { type: 'string', example: WWW_AUTHENTICATE } },
    },
  })
  @ApiRateLimited('Too many failed logins from this client address', TOO_MANY_LOGINS_MESSAGE)
  @ApiDatabaseUnavailable()
  login(@Body() dto: LoginCodeDto, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    return this.logins.login(dto.login_code, client);
  }
}
