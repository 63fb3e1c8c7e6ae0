import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsEmail, IsString, MaxLength } from 'class-validator';

export const MAX_EMAIL_LENGTH = 254;

/** `Foo@X.com ` and `foo@x.com` are one account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A required, normalised email field of a request body. */
export function EmailField(): PropertyDecorator {
  const invalid = { message: 'email must be a valid email' };
  return applyDecorators(
    ApiProperty({ example: 'jennifer.lee@example.com', maxLength: MAX_EMAIL_LENGTH, format: 'email' }),
    Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value)),
    IsDefined({ message: 'email is required' }),
    IsString(invalid),
    MaxLength(MAX_EMAIL_LENGTH, { message: `email must be at most ${MAX_EMAIL_LENGTH} characters` }),
    IsEmail({ allow_utf8_local_part: true, require_tld: false }, invalid),
  );
}
