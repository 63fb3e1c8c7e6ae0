import { ApiProperty, OmitType } from '@nestjs/swagger';
import { SessionDto } from '../../auth/dto/session.dto.js';
import { UserProfileDto } from '../../profile/dto/user-profile.dto.js';
import { SecurityEventDto } from '../../security-events/dto/security-event.dto.js';
import { UserStatus } from '../../users/user-status.js';

/** An account as an operator's list shows it. */
export class AdminUserSummaryDto {
  @ApiProperty({ example: 42 })
  id: number;

  @ApiProperty({ example: 'jennifer.lee@example.com' })
  email: string;

  @ApiProperty({ enum: Object.values(UserStatus), example: UserStatus.Active, description: '"disabled" is shown to operators only' })
  status: string;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-11-30T17:02:11.000Z',
    description: 'When a token was last issued; null if never',
  })
  last_sign_in_at: string | null;

  @ApiProperty({ example: false, description: 'Whether logins need a second step (a confirmed authenticator app)' })
  two_step: boolean;

  @ApiProperty({ example: 0, description: 'How many passkeys the account holds' })
  passkeys: number;
}

export class AdminUserListDto {
  @ApiProperty({ type: [AdminUserSummaryDto], description: 'In id order, at most `limit`' })
  users: AdminUserSummaryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'aWQ6NDI',
    description: 'Pass as `cursor` for the next page; null on the last one',
  })
  next_cursor: string | null;
}

/** The profile's fields, as the owner's profile answer (10) has them, without the email (the account's own field). */
export class AdminProfileDto extends OmitType(UserProfileDto, ['email'] as const) {}

/** A session as the owner sees it (15), without `current`: the operator holds none of them. */
export class AdminSessionDto extends OmitType(SessionDto, ['current'] as const) {}

export class AccountFactorsDto {
  @ApiProperty({ example: false, description: 'A confirmed authenticator app (TOTP), with its recovery codes' })
  totp: boolean;

  @ApiProperty({ example: 0 })
  passkeys: number;
}

/** An account in full, for an operator: what the list shows, and the profile, sessions, factors and recent security events. */
export class AdminUserDto extends AdminUserSummaryDto {
  @ApiProperty({ type: AdminProfileDto })
  profile: AdminProfileDto;

  @ApiProperty({ type: [AdminSessionDto], description: 'Live sessions, newest first' })
  sessions: AdminSessionDto[];

  @ApiProperty({ type: AccountFactorsDto })
  factors: AccountFactorsDto;

  @ApiProperty({ type: [SecurityEventDto], description: 'The last 20, newest first' })
  events: SecurityEventDto[];
}
