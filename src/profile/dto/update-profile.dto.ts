import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, Validate, ValidateIf, type ValidatorConstraintInterface, ValidatorConstraint } from 'class-validator';
import { isHttpUrl } from '../../config/parse-config.js';
import { UserProfileDto } from './user-profile.dto.js';

export const MAX_PROFILE_TEXT = 100;
export const MAX_AVATAR_URL = 2048;

// Omitted means "leave as is"; null is not a value here, "" clears.
const WhenPresent = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

function ProfileText(field: string, example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example, maxLength: MAX_PROFILE_TEXT, description: 'Omit to keep, "" to clear' }),
    WhenPresent(),
    IsString({ message: `${field} must be a string` }),
    MaxLength(MAX_PROFILE_TEXT, { message: `${field} must be at most ${MAX_PROFILE_TEXT} characters` }),
  );
}

@ValidatorConstraint({ name: 'avatarUrl' })
class AvatarUrlConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value === '' || (typeof value === 'string' && isHttpUrl(value));
  }

  defaultMessage(): string {
    return 'avatar must be an absolute http(s) URL or ""';
  }
}

/** A partial update of the profile. */
export class UpdateProfileDto {
  @ProfileText('first_name', 'Jennifer')
  first_name?: string;

  @ProfileText('last_name', 'Lee')
  last_name?: string;

  @ProfileText('country', 'China')
  country?: string;

  @ProfileText('department', 'BSC')
  department?: string;

  @ApiPropertyOptional({
    example: 'http://testurl/image.png',
    maxLength: MAX_AVATAR_URL,
    description: 'Absolute http(s) URL, or "" to clear',
  })
  @WhenPresent()
  @IsString({ message: 'avatar must be a string' })
  @MaxLength(MAX_AVATAR_URL, { message: `avatar must be at most ${MAX_AVATAR_URL} characters` })
  @Validate(AvatarUrlConstraint)
  avatar?: string;
}

export class ProfileWithTokenDto extends UserProfileDto {
  @ApiProperty({ example: 'q7xJ0d3c9kS5Yh2mW8rT1vN4bL6pZ0aE3fG7hK9mQ2s', description: 'The token this request was made with' })
  access_token: string;
}
