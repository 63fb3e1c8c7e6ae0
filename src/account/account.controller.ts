import { Body, Controller, Delete, Get, Header, HttpCode, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { AccountOwnerAuth } from './account-owner-auth.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { Client, type ClientInfo } from '../http/client-info.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiErrorResponse, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { ProfileWithTokenDto } from '../profile/dto/update-profile.dto.js';
import { toUserProfile } from '../profile/dto/user-profile.dto.js';
import { TOO_MANY_CODES_MESSAGE, TOO_MANY_LOGINS_MESSAGE, TOO_MANY_WRONG_CODES_MESSAGE } from '../rate-limit/limit-messages.js';
import { SecurityEventListDto } from '../security-events/dto/security-event.dto.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { EMAIL_USED_MESSAGE } from '../users/email.js';
import type { Account } from '../users/users.service.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountExportService } from './account-export.service.js';
import { AccountExportDto } from './dto/account-export.dto.js';
import { ConfirmEmailChangeDto, RequestEmailChangeDto } from './dto/change-email.dto.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';
import { EMAIL_CODE_SENT_MESSAGE, EmailChangeService, SIGN_IN_AGAIN_TO_CHANGE_EMAIL_MESSAGE } from './email-change.service.js';
import { PasswordChangeService, SIGN_IN_AGAIN_TO_SET_PASSWORD_MESSAGE, WRONG_PASSWORD_MESSAGE } from './password-change.service.js';

@ApiTag('account')
@Controller('api/user')
export class AccountController {
  constructor(
    private readonly passwords: PasswordChangeService,
    private readonly emails: EmailChangeService,
    private readonly deletion: AccountDeletionService,
    private readonly exports: AccountExportService,
    private readonly events: SecurityEvents,
  ) {}

  @Put('password')
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({
    summary: 'Change the password: the current one is required; every other session is signed out',
    description:
      'An account without a password (made by a sign-in with another provider) sets its first one here: it sends no `password`, ' +
      'and needs a token from a sign-in less than 10 minutes old.',
  })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Password changed' } })
  @ApiJsonBodyErrors({ field: 'new_password', message: 'new_password is required' })
  @ApiErrorResponse(400, 'The password policy refuses the new password', [
    {
      message: 'new_password is too common, please choose another',
      errors: [{ field: 'new_password', message: 'new_password is too common, please choose another' }],
    },
  ])
  @ApiErrorResponse(
    422,
    'The current password is wrong, or two-step login is on and the code is missing or wrong (counted as failed logins)',
    [WRONG_PASSWORD_MESSAGE, INVALID_CODE_MESSAGE],
  )
  @ApiErrorResponse(403, 'The account has no password and the token’s sign-in is 10 minutes old or more: sign in again', [
    SIGN_IN_AGAIN_TO_SET_PASSWORD_MESSAGE,
  ])
  @ApiRateLimited('Too many wrong passwords (the login limits)', TOO_MANY_LOGINS_MESSAGE)
  async changePassword(
    @Principal() principal: TokenPrincipal,
    @Body() dto: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<MessageDto> {
    await this.passwords.change(principal, dto.password, dto.new_password, dto.code, client);
    return { message: 'Password changed' };
  }

  @Post('email')
  @HttpCode(202)
  @TokenAuth()
  @ApiOperation({ summary: 'Start an email change: the password is required; a code is mailed to the new address' })
  @ApiAcceptedResponse({ type: MessageDto, example: { message: EMAIL_CODE_SENT_MESSAGE } })
  @ApiJsonBodyErrors({ field: 'new_email', message: 'new_email must be a valid email' })
  @ApiErrorResponse(
    422,
    'The password is wrong, two-step login is on and the code is missing or wrong, or another active account has the address',
    [WRONG_PASSWORD_MESSAGE, INVALID_CODE_MESSAGE, EMAIL_USED_MESSAGE],
  )
  @ApiErrorResponse(403, 'The account has no password and the token’s sign-in is 10 minutes old or more: sign in again', [
    SIGN_IN_AGAIN_TO_CHANGE_EMAIL_MESSAGE,
  ])
  @ApiRateLimited('Too many wrong passwords, or too many codes mailed', TOO_MANY_LOGINS_MESSAGE)
  @ApiErrorResponse(429, 'Too many wrong passwords, or too many codes mailed', [TOO_MANY_CODES_MESSAGE])
  async requestEmailChange(
    @Principal() principal: TokenPrincipal,
    @Body() dto: RequestEmailChangeDto,
    @Client() client: ClientInfo,
  ): Promise<MessageDto> {
    await this.emails.request(principal, dto.new_email, dto.password, dto.code, client);
    return { message: EMAIL_CODE_SENT_MESSAGE };
  }

  @Put('email')
  @HttpCode(200)
  @TokenAuth()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Finish an email change with the mailed code; answers the profile under the new address' })
  @ApiOkResponse({ type: ProfileWithTokenDto })
  @ApiJsonBodyErrors({ field: 'validation_code', message: 'validation_code is required' })
  @ApiErrorResponse(422, 'The code is wrong, expired or used, or another account took the address meanwhile', [
    INVALID_CODE_MESSAGE,
    EMAIL_USED_MESSAGE,
  ])
  @ApiRateLimited('Too many wrong codes for this account', TOO_MANY_WRONG_CODES_MESSAGE)
  async confirmEmailChange(
    @Principal() principal: TokenPrincipal,
    @Body() dto: ConfirmEmailChangeDto,
    @Client() client: ClientInfo,
  ): Promise<ProfileWithTokenDto> {
    await this.emails.confirm(principal, dto.new_email, dto.validation_code, client);
    // Field order of the profile update (6): the profile, then the token, then the email.
    const { email: _old, ...profile } = toUserProfile(principal.user.email, principal.user);
    return { ...profile, access_token: principal.accessToken, email: dto.new_email };
  }

  @Delete()
  @HttpCode(200)
  @AccountOwnerAuth()
  @ApiOperation({
    summary: 'Delete the account and everything held about it (Basic email:password); a last mail confirms',
    description:
      'An account without a password (made by a sign-in with another provider) sends its token instead (Basic email:token or Bearer), ' +
      'from a sign-in less than 10 minutes old.',
  })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Account deleted' } })
  @ApiBody({ type: DeleteAccountDto, required: false, description: 'Only for an account with two-step login: its code' })
  @ApiJsonBodyErrors({ field: 'code', message: 'code must be a string' })
  @ApiErrorResponse(422, 'Two-step login is on and the code is missing or wrong (a wrong one counted as a failed login)', [
    INVALID_CODE_MESSAGE,
  ])
  async deleteAccount(@Principal() user: Account, @Body() dto: DeleteAccountDto, @Client() client: ClientInfo): Promise<MessageDto> {
    await this.deletion.delete(user, dto.code, client);
    return { message: 'Account deleted' };
  }

  @Get('export')
  @HttpCode(200)
  @TokenAuth()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Disposition', 'attachment; filename="one_auth-export.json"')
  @ApiOperation({ summary: 'Download everything held about the account, as one JSON document (no secrets)' })
  @ApiOkResponse({ type: AccountExportDto, description: 'Sent as an attachment (Content-Disposition)' })
  exportAccount(@Principal() principal: TokenPrincipal, @Client() client: ClientInfo): Promise<AccountExportDto> {
    return this.exports.export(principal, client);
  }

  @Get('events')
  @HttpCode(200)
  @TokenAuth()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Recent security activity of the account: the last 100 events, newest first' })
  @ApiOkResponse({ type: SecurityEventListDto })
  async listEvents(@Principal() principal: TokenPrincipal): Promise<SecurityEventListDto> {
    return { events: await this.events.latest(principal.user.id) };
  }
}
