import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../common/email.js';

export class RequestCodeDto {
  @EmailField()
  email: string;
}

export class CheckCodeDto {
  @EmailField()
  email: string;

  @ApiProperty({ example: '042917', description: 'The 6 digits from the mail' })
  @IsDefined({ message: 'validation_code is required' })
  @IsString({ message: 'validation_code must be a string' })
  @MaxLength(64, { message: 'validation_code must be at most 64 characters' })
  validation_code: string;
}

export class SetPasswordDto extends CheckCodeDto {
  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 256 })
  @IsDefined({ message: 'password is required' })
  @IsString({ message: 'password must be a string' })
  @MaxLength(4096, { message: 'password must be at most 256 characters' })
  password: string;
}
