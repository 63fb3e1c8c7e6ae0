import { Body, Controller, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ClientAddress } from '../common/client-address.js';
import { ErrorResponseDto, MessageDto } from '../common/dto/message.dto.js';
import { CheckCodeDto, RequestCodeDto } from './dto/validation-code.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('registration')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Missing or invalid field' })
@Controller('api/validation_code')
export class ValidationCodesController {
  constructor(private readonly users: UsersService) {}

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a code without using it up' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Valid code' } })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, example: { message: 'Invalid code' } })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'Too many wrong codes for this account; see Retry-After',
    example: { message: 'Too many wrong codes, please retry later' },
  })
  check(@Body() dto: CheckCodeDto): Promise<MessageDto> {
    return this.users.checkCode(dto.email, dto.validation_code);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a new code (resend, or password recovery for an active account)' })
  @ApiAcceptedResponse({ type: MessageDto, example: { message: 'If the account exists, a code has been sent' } })
  request(@Body() dto: RequestCodeDto, @ClientAddress() address: string): MessageDto {
    return this.users.requestCode(dto.email, address);
  }
}
