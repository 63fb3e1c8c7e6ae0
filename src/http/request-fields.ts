import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_EMAIL_LENGTH, normalizeEmail } from '../users/email.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../users/password/password-limits.js';

/*
 * The fields several request bodies share, declared once: validation,
 * messages that name the field, and their OpenAPI description.
 */

/** What counts as an email address, wherever one is taken (the API's bodies, the login pages' forms). */
export const EMAIL_FORMAT = { allow_utf8_local_part: true, require_tld: false } as const;

/** A required, normalised email field; messages name the field. */
export function EmailField(field = 'email', example = 'jennifer.lee@example.com'): PropertyDecorator {
  const invalid = { message: `${field} must be a valid email` };
  return applyDecorators(
    ApiProperty({ example, maxLength: MAX_EMAIL_LENGTH, format: 'email' }),
    Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value)),
    IsDefined({ message: `${field} is required` }),
    IsString(invalid),
    MaxLength(MAX_EMAIL_LENGTH, { message: `${field} must be at most ${MAX_EMAIL_LENGTH} characters` }),
    IsEmail(EMAIL_FORMAT, invalid),
  );
}

/**
 * A required password field. The policy itself (a new password's length,
 * commonness) is applied by the service, which counts code points exactly;
 * `chosen` says this one is being set, so the document states its limits.
 */
export function PasswordField(field: string, example: string, description: string, chosen = false): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, description, maxLength: MAX_PASSWORD_LENGTH, ...(chosen ? { minLength: MIN_PASSWORD_LENGTH } : {}) }),
    IsDefined({ message: `${field} is required` }),
    IsString({ message: `${field} must be a string` }),
    // Long enough for any 256 code points; the policy counts them exactly.
    MaxLength(4096, { message: `${field} must be at most ${MAX_PASSWORD_LENGTH} characters` }),
  );
}

/**
 * The current password, asked for again before a sensitive change: optional
 * in the body, since an account without a password (made by a sign-in with
 * another provider) has none to give; the service requires it of an account
 * that has one (400 naming the field).
 */
export function CurrentPasswordField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      example: 'correct horse battery staple',
      maxLength: MAX_PASSWORD_LENGTH,
      description: `${description}; required unless the account has no password, which needs a token from a sign-in less than 10 minutes old instead`,
    }),
    IsOptional(),
    // Decorators apply bottom-up: a non-string is told so first.
    MaxLength(4096, { message: `password must be at most ${MAX_PASSWORD_LENGTH} characters` }),
    IsString({ message: 'password must be a string' }),
  );
}

/** The 6 digits of a mailed code (anything up to 64 characters is checked, and counted when wrong). */
export function ValidationCodeField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: '042917', description }),
    IsDefined({ message: 'validation_code is required' }),
    IsString({ message: 'validation_code must be a string' }),
    MaxLength(64, { message: 'validation_code must be at most 64 characters' }),
  );
}
