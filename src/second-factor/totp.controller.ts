import { Body, Controller, Delete, HttpCode, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { WRONG_PASSWORD_MESSAGE } from '../auth/auth.service.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { ConfirmTotpDto, PasswordAndCodeDto, RecoveryCodesDto, StartTotpDto, TotpEnrolmentDto } from './dto/totp.dto.js';
import { ALREADY_ENABLED_MESSAGE, DISABLED_MESSAGE, NOT_ENABLED_MESSAGE } from './second-factor-messages.js';
import { TotpSettingsService } from './totp-settings.service.js';

const LIMITED = 'Too many failed logins (wrong passwords and wrong codes together)';

@ApiTag('second factor')
@Controller('api/user')
export class TotpController {
  constructor(private readonly settings: TotpSettingsService) {}

  @Post('totp')
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({
    summary: 'Start two-step login: a new authenticator secret, pending until PUT /user/totp confirms it (within 10 minutes)',
  })
  @ApiOkResponse({ type: TotpEnrolmentDto })
  @ApiJsonBodyErrors({ field: 'password', message: 'password is required' })
  @ApiErrorResponse(422, 'The password is wrong (counted as a failed login)', [WRONG_PASSWORD_MESSAGE])
  @ApiErrorResponse(409, 'Two-step login is on already (turn it off first to change the app)', [ALREADY_ENABLED_MESSAGE])
  @ApiRateLimited(LIMITED, TOO_MANY_LOGINS_MESSAGE)
  start(@Principal() principal: TokenPrincipal, @Body() dto: StartTotpDto, @Client() client: ClientInfo): Promise<TotpEnrolmentDto> {
    return this.settings.start(principal, dto.password, client);
  }

  @Put('totp')
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({
    summary: 'Turn two-step login on with a first code from the app: answers ten recovery codes, once; every other session is signed out',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiJsonBodyErrors({ field: 'code', message: 'code is required' })
  @ApiErrorResponse(422, 'The code is wrong, or there is no pending secret (never started, or older than 10 minutes)', [
    INVALID_CODE_MESSAGE,
  ])
  @ApiErrorResponse(409, 'Two-step login is on already', [ALREADY_ENABLED_MESSAGE])
  @ApiRateLimited(LIMITED, TOO_MANY_LOGINS_MESSAGE)
  confirm(@Principal() principal: TokenPrincipal, @Body() dto: ConfirmTotpDto, @Client() client: ClientInfo): Promise<RecoveryCodesDto> {
    return this.settings.confirm(principal, dto.code, client);
  }

  @Delete('totp')
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({ summary: 'Turn two-step login off: the password and a code (TOTP or recovery); the recovery codes die with it' })
  @ApiOkResponse({ type: MessageDto, example: { message: DISABLED_MESSAGE } })
  @ApiJsonBodyErrors({ field: 'password', message: 'password is required' })
  @ApiErrorResponse(422, 'The password is wrong, or the code is missing or wrong (both counted as failed logins)', [
    WRONG_PASSWORD_MESSAGE,
    INVALID_CODE_MESSAGE,
  ])
  @ApiErrorResponse(409, 'Two-step login is not on', [NOT_ENABLED_MESSAGE])
  @ApiRateLimited(LIMITED, TOO_MANY_LOGINS_MESSAGE)
  async disable(
    @Principal() principal: TokenPrincipal,
    @Body() dto: PasswordAndCodeDto,
    @Client() client: ClientInfo,
  ): Promise<MessageDto> {
    await this.settings.disable(principal, dto.password, dto.code, client);
    return { message: DISABLED_MESSAGE };
  }

  @Post('recovery_codes')
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({ summary: 'A new set of ten recovery codes, shown once; the old set stops working' })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiJsonBodyErrors({ field: 'password', message: 'password is required' })
  @ApiErrorResponse(422, 'The password is wrong, or the code is missing or wrong (both counted as failed logins)', [
    WRONG_PASSWORD_MESSAGE,
    INVALID_CODE_MESSAGE,
  ])
  @ApiErrorResponse(409, 'Two-step login is not on', [NOT_ENABLED_MESSAGE])
  @ApiRateLimited(LIMITED, TOO_MANY_LOGINS_MESSAGE)
  renewRecoveryCodes(
    @Principal() principal: TokenPrincipal,
    @Body() dto: PasswordAndCodeDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    return this.settings.renewRecoveryCodes(principal, dto.password, dto.code, client);
  }
}
