import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PasswordAuth, Principal } from '../auth/auth.decorators.js';
import { LoginResponseDto } from '../auth/dto/login-response.dto.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { ErrorResponseDto } from '../http/message.dto.js';
import { WWW_AUTHENTICATE } from '../http/error-response.js';
import { ApiDatabaseUnavailable, ApiErrorResponse, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import type { Account } from '../users/users.service.js';
import { FinishLoginDto, SecondFactorRequiredDto } from './dto/login.dto.js';
import { LOGIN_EXPIRED_MESSAGE, SECOND_FACTOR_REQUIRED_MESSAGE } from './second-factor-messages.js';
import { TwoStepLoginService } from './two-step-login.service.js';

const CHALLENGE_HEADER = {
  'WWW-Authenticate': { description: 'The Basic challenge', required: true, schema: { type: 'string', example: WWW_AUTHENTICATE } },
};
const EXAMPLE_MFA_TOKEN = 'Xq3c7m1ZP0bW8kq2LwA4s9VtHfY6nJrD5eGuKiO2cTz';

/**
 * Logging in (4, 4′, 23): here rather than in the auth module because a
 * right password is not always enough; this module decides, over the auth
 * module's password check and tokens. Logging out stays there.
 */
@ApiTag('access tokens')
@ApiExtraModels(SecondFactorRequiredDto)
@Controller('api/access_tokens')
export class TwoStepLoginController {
  constructor(private readonly logins: TwoStepLoginService) {}

  @Get()
  @HttpCode(200)
  // Above PasswordAuth(), so that it completes the 401 that decorator declares.
  @ApiResponse({
    status: 401,
    description:
      'Or, for the right password of an account with two-step login: the mfa_token to finish with (POST /access_tokens/second_factor)',
    type: undefined,
    schema: { anyOf: [{ $ref: getSchemaPath(ErrorResponseDto) }, { $ref: getSchemaPath(SecondFactorRequiredDto) }] },
    examples: {
      [SECOND_FACTOR_REQUIRED_MESSAGE]: {
        summary: SECOND_FACTOR_REQUIRED_MESSAGE,
        value: { message: SECOND_FACTOR_REQUIRED_MESSAGE, mfa_token: EXAMPLE_MFA_TOKEN, methods: ['totp', 'recovery_code'] },
      },
    },
    headers: CHALLENGE_HEADER,
  })
  @PasswordAuth()
  @ApiOperation({
    summary: 'Log in: a new access token for this device (Basic email:password)',
    description:
      'On an account with two-step login the right password answers 401 `Second factor required` with an `mfa_token`: ' +
      'finish with POST /access_tokens/second_factor.',
  })
  @ApiOkResponse({ type: LoginResponseDto })
  login(@Principal() user: Account, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    return this.logins.login(user, client);
  }

  @Post('second_factor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Finish a two-step login: the mfa_token of the 401, and a TOTP code or a recovery code' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiJsonBodyErrors({ field: 'code', message: 'code is required' })
  @ApiErrorResponse(
    401,
    'The mfa_token is unknown, used, expired (5 minutes) or spent (5 wrong codes): log in again',
    [LOGIN_EXPIRED_MESSAGE],
    CHALLENGE_HEADER,
  )
  @ApiErrorResponse(422, 'The code is wrong, or was used already (counted as a failed login)', [INVALID_CODE_MESSAGE])
  @ApiRateLimited('Too many failed logins (wrong passwords and wrong codes together)', TOO_MANY_LOGINS_MESSAGE)
  @ApiDatabaseUnavailable()
  finish(@Body() dto: FinishLoginDto, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    return this.logins.finish(dto.mfa_token, dto.code, client);
  }
}
