import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsEmail, IsString, MaxLength } from 'class-validator';

export const MAX_EMAIL_LENGTH = 254;

/** `Foo@X.com ` and `foo@x.com` are one account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A required, normalised email field of a request body; messages name the field. */
export function EmailField(field = 'email', example = 'jennifer.lee@example.com'): PropertyDecorator {
  const invalid = { message: `${field} must be a valid email` };
  return applyDecorators(
    ApiProperty({ example, maxLength: MAX_EMAIL_LENGTH, format: 'email' }),
    Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value)),
    IsDefined({ message: `${field} is required` }),
    IsString(invalid),
    MaxLength(MAX_EMAIL_LENGTH, { message: `${field} must be at most ${MAX_EMAIL_LENGTH} characters` }),
    IsEmail({ allow_utf8_local_part: true, require_tld: false }, invalid),
  );
}
