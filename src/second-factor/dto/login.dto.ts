import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';
import { SecondFactorCodeField } from './code-field.js';

export class FinishLoginDto {
  @ApiProperty({
    example: 'Xq3c7m1ZP0bW8kq2LwA4s9VtHfY6nJrD5eGuKiO2cTz',
    description: 'From the 401 of GET /access_tokens; valid 5 minutes, for 5 codes at most',
    maxLength: 64,
  })
  @IsDefined({ message: 'mfa_token is required' })
  @IsString({ message: 'mfa_token must be a string' })
  @MaxLength(64, { message: 'mfa_token must be at most 64 characters' })
  mfa_token: string;

  @SecondFactorCodeField(true)
  code: string;
}

/** The 401 of a right password on an account with two-step login: how to finish the login. */
export class SecondFactorRequiredDto {
  @ApiProperty({ example: 'Second factor required', enum: ['Second factor required'] })
  message: string;

  @ApiProperty({
    example: 'Xq3c7m1ZP0bW8kq2LwA4s9VtHfY6nJrD5eGuKiO2cTz',
    description: 'Send it with a code to POST /access_tokens/second_factor within 5 minutes; single use',
  })
  mfa_token: string;

  @ApiProperty({
    type: [String],
    example: ['totp', 'recovery_code'],
    description: 'The ways this account can finish the login: `totp`, `recovery_code`, and `passkey` when it has one',
  })
  methods: string[];
}
