import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../common/email.js';
import { PasswordField } from './change-password.dto.js';

export class RequestEmailChangeDto {
  @EmailField('new_email', 'jennifer.new@example.com')
  new_email: string;

  @PasswordField('password', 'correct horse battery staple', 'The current password')
  password: string;
}

export class ConfirmEmailChangeDto {
  @EmailField('new_email', 'jennifer.new@example.com')
  new_email: string;

  @ApiProperty({ example: '042917', description: 'The 6 digits mailed to the new address' })
  @IsDefined({ message: 'validation_code is required' })
  @IsString({ message: 'validation_code must be a string' })
  @MaxLength(64, { message: 'validation_code must be at most 64 characters' })
  validation_code: string;
}
