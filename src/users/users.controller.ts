import { Body, Controller, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ClientAddress } from '../common/client-address.js';
import { Client, type ClientInfo } from '../common/client-info.js';
import { ErrorResponseDto } from '../common/dto/message.dto.js';
import { AccountStatusDto, ActivatedAccountDto, RegisterDto } from './dto/register.dto.js';
import { SetPasswordDto } from './dto/validation-code.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('registration')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Missing or invalid field' })
@Controller('api/user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an email: creates the account (inactive) and mails a 6-digit code' })
  @ApiCreatedResponse({ type: AccountStatusDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, example: { message: 'Email already used' } })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'More than 5 codes an hour; see Retry-After',
    example: { message: 'Too many codes requested, please retry later' },
  })
  register(@Body() dto: RegisterDto, @ClientAddress() address: string): Promise<AccountStatusDto> {
    return this.users.register(dto.email, address);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the password with a mailed code (activation and reset); answers a new token' })
  @ApiOkResponse({ type: ActivatedAccountDto })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'Too many wrong codes for this account; see Retry-After',
    example: { message: 'Too many wrong codes, please retry later' },
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: '"User not exist" or "Invalid code"',
    example: { message: 'Invalid code' },
  })
  setPassword(@Body() dto: SetPasswordDto, @Client() client: ClientInfo): Promise<ActivatedAccountDto> {
    return this.users.setPassword(dto, client);
  }
}
