import { ApiProperty, OmitType } from '@nestjs/swagger';
import { UserProfileDto } from '../../profile/dto/user-profile.dto.js';
import { SessionDto } from '../../sessions/dto/session.dto.js';
import { UserStatus } from '../../users/user.entity.js';
import { SecurityEventDto } from './security-event.dto.js';

export class ExportedAccountDto {
  @ApiProperty({ example: 'jennifer.lee@example.com' })
  email: string;

  @ApiProperty({ enum: Object.values(UserStatus), example: UserStatus.Active })
  status: string;

  @ApiProperty({ example: '2026-11-01T10:00:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  updated_at: string;
}

/** The profile as the profile endpoints answer it, without the email (the account part has it). */
export class ExportedProfileDto extends OmitType(UserProfileDto, ['email'] as const) {}

export class ExportedImageDto {
  @ApiProperty({ example: 'http://localhost:8000/one_auth/images/3f9c2b7a5d1e4c8f9a0b1c2d3e4f5a6b.png' })
  url: string;

  @ApiProperty({ example: 'image/png' })
  content_type: string;

  @ApiProperty({ example: 48213 })
  bytes: number;

  @ApiProperty({ example: '2026-11-02T12:00:00.000Z', format: 'date-time' })
  created_at: string;
}

export class PendingEmailChangeDto {
  @ApiProperty({ example: 'jennifer.new@example.com' })
  new_email: string;

  @ApiProperty({ example: '2026-11-25T08:40:00.000Z', format: 'date-time', description: 'When its code expires' })
  expires_at: string;
}

/** Everything held about an account, and nothing secret (no password hash, token, code or hash of one). */
export class AccountExportDto {
  @ApiProperty({ example: '2026-11-25T08:31:00.000Z', format: 'date-time' })
  exported_at: string;

  @ApiProperty({ type: ExportedAccountDto })
  account: ExportedAccountDto;

  @ApiProperty({ type: ExportedProfileDto })
  profile: ExportedProfileDto;

  @ApiProperty({ type: [SessionDto] })
  sessions: SessionDto[];

  @ApiProperty({ type: [ExportedImageDto] })
  images: ExportedImageDto[];

  @ApiProperty({ type: PendingEmailChangeDto, nullable: true, description: 'An email change waiting for its code, if any' })
  pending_email_change: PendingEmailChangeDto | null;

  @ApiProperty({ type: [SecurityEventDto], description: 'Every security event still kept, newest first' })
  events: SecurityEventDto[];
}
