import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength, ValidateIf } from 'class-validator';

const DESCRIPTION =
  'The 6 digits the authenticator app shows, or one of the recovery codes (`xxxx-xxxx-xxxx`; case, dashes and spaces do not matter)';

/**
 * A second-factor code. Required where it is the point of the request;
 * elsewhere optional in the body (an account without two-step login sends
 * none), and the service answers 422 when the account needs one.
 */
export function SecondFactorCodeField(required: boolean, description = DESCRIPTION): PropertyDecorator {
  const rules = [IsString({ message: 'code must be a string' }), MaxLength(64, { message: 'code must be at most 64 characters' })];
  return required
    ? applyDecorators(ApiProperty({ example: '492039', description, maxLength: 64 }), IsDefined({ message: 'code is required' }), ...rules)
    : applyDecorators(
        ApiPropertyOptional({
          example: '492039',
          description: `${description}. Required when the account has two-step login`,
          maxLength: 64,
        }),
        ValidateIf((_object: object, value: unknown) => value !== undefined),
        ...rules,
      );
}
