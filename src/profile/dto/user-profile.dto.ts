import { ApiProperty } from '@nestjs/swagger';
import type { ProfileFields } from '../profile-fields.js';

/** The public face of an account: what other services learn from a token check. */
export class UserProfileDto {
  @ApiProperty({ example: 'jennifer.lee@example.com' })
  email: string;

  @ApiProperty({ example: 'Jennifer', description: '"" when unset' })
  first_name: string;

  @ApiProperty({ example: 'Lee' })
  last_name: string;

  @ApiProperty({ example: 'China' })
  country: string;

  @ApiProperty({ example: 'BSC' })
  department: string;

  @ApiProperty({ example: 'http://localhost:8000/one_auth/images/3f9c2b7a5d1e4c8f9a0b1c2d3e4f5a6b.png' })
  avatar: string;
}

export function toUserProfile(email: string, profile: ProfileFields): UserProfileDto {
  return {
    email,
    first_name: profile.firstName,
    last_name: profile.lastName,
    country: profile.country,
    department: profile.department,
    avatar: profile.avatar,
  };
}
