import { Body, Controller, HttpCode, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ClientAddress } from '../http/client-address.js';
import { MessageDto } from '../http/message.dto.js';
import { ApiDatabaseUnavailable, ApiErrorResponse, ApiJsonBodyErrors, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { CheckCodeDto, RequestCodeDto } from './dto/validation-code.dto.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { TOO_MANY_WRONG_CODES_MESSAGE } from '../rate-limit/limit-messages.js';
import { RegistrationService } from './registration.service.js';

@ApiTag('registration')
@Controller('api/validation_code')
export class ValidationCodesController {
  constructor(private readonly registration: RegistrationService) {}

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a code without using it up' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Valid code' } })
  @ApiJsonBodyErrors({ field: 'validation_code', message: 'validation_code is required' })
  @ApiErrorResponse(422, 'The code is wrong, expired or used, or there is no such account', [INVALID_CODE_MESSAGE])
  @ApiRateLimited('Too many wrong codes for this account', TOO_MANY_WRONG_CODES_MESSAGE)
  @ApiDatabaseUnavailable()
  check(@Body() dto: CheckCodeDto): Promise<MessageDto> {
    return this.registration.checkCode(dto.email, dto.validation_code);
  }

  // The same answer whatever happens to the mail (it is sent in the background),
  // so that the answer tells nothing about the account: no 422, 429 or 503.
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a new code (resend, or password recovery for an active account)' })
  @ApiAcceptedResponse({ type: MessageDto, example: { message: 'If the account exists, a code has been sent' } })
  @ApiJsonBodyErrors({ field: 'email', message: 'email must be a valid email' })
  request(@Body() dto: RequestCodeDto, @ClientAddress() address: string): MessageDto {
    return this.registration.requestCode(dto.email, address);
  }
}
