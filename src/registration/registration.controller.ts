import { Body, Controller, HttpCode, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ClientAddress } from '../http/client-address.js';
import { ApiDatabaseUnavailable, ApiErrorResponse, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { AccountStatusDto, ActivatedAccountDto, RegisterDto } from './dto/register.dto.js';
import { SetPasswordDto } from './dto/validation-code.dto.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { TOO_MANY_CODES_MESSAGE, TOO_MANY_LOGINS_MESSAGE, TOO_MANY_WRONG_CODES_MESSAGE } from '../rate-limit/limit-messages.js';
import { SECOND_FACTOR_REQUIRED_MESSAGE } from '../second-factor/second-factor-messages.js';
import { EMAIL_USED_MESSAGE } from '../users/email.js';
import { NO_USER_MESSAGE, RegistrationService } from './registration.service.js';

@ApiTag('registration')
@ApiDatabaseUnavailable()
@Controller('api/user')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an email: creates the account (inactive) and mails a 6-digit code' })
  @ApiCreatedResponse({ type: AccountStatusDto })
  @ApiJsonBodyErrors({ field: 'email', message: 'email must be a valid email' })
  @ApiErrorResponse(422, 'The account is already active', [EMAIL_USED_MESSAGE])
  @ApiRateLimited('More than 5 codes an hour for this address, or too many for this client', TOO_MANY_CODES_MESSAGE)
  register(@Body() dto: RegisterDto, @ClientAddress() address: string): Promise<AccountStatusDto> {
    return this.registration.register(dto.email, address);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the password with a mailed code (activation and reset); answers a new token' })
  @ApiOkResponse({ type: ActivatedAccountDto })
  @ApiJsonBodyErrors({ field: 'validation_code', message: 'validation_code is required' })
  @ApiErrorResponse(400, 'The password policy refuses the password', [
    {
      message: 'password is too common, please choose another',
      errors: [{ field: 'password', message: 'password is too common, please choose another' }],
    },
  ])
  @ApiErrorResponse(
    422,
    'No such account; the code is wrong, expired or used; or the account has two-step login and `code` is missing ' +
      '(Second factor required, nothing used up) or wrong (Invalid code, counted as a failed login)',
    [NO_USER_MESSAGE, INVALID_CODE_MESSAGE, SECOND_FACTOR_REQUIRED_MESSAGE],
  )
  @ApiRateLimited('Too many wrong codes for this account', TOO_MANY_WRONG_CODES_MESSAGE)
  @ApiErrorResponse(429, 'Too many wrong codes for this account, or too many failed logins (wrong second-factor codes)', [
    TOO_MANY_LOGINS_MESSAGE,
  ])
  setPassword(@Body() dto: SetPasswordDto, @Client() client: ClientInfo): Promise<ActivatedAccountDto> {
    return this.registration.setPassword(dto, client);
  }
}
