import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';

/** A required password field; the policy itself is applied by the service. */
export function PasswordField(field: string, example: string, description: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, description, maxLength: 256 }),
    IsDefined({ message: `${field} is required` }),
    IsString({ message: `${field} must be a string` }),
    // Long enough for any 256 code points; the policy counts them exactly.
    MaxLength(4096, { message: `${field} must be at most 256 characters` }),
  );
}

export class ChangePasswordDto {
  @PasswordField('password', 'correct horse battery staple', 'The current password')
  password: string;

  @PasswordField('new_password', 'new horse battery staple', 'The new password: 8 to 256 characters, not a common one')
  new_password: string;
}
