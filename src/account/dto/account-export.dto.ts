import { ApiProperty } from '@nestjs/swagger';
import { SessionDto } from '../../auth/dto/session.dto.js';
import { PendingEmailChangeDto } from '../../codes/dto/pending-email-change.dto.js';
import { IdentityDto } from '../../identities/dto/identity.dto.js';
import { ExportedImageDto } from '../../images/dto/exported-image.dto.js';
import { AppDto } from '../../oidc/dto/app.dto.js';
import { PasskeyDto } from '../../passkeys/dto/passkey.dto.js';
import { ExportedProfileDto } from '../../profile/dto/exported-profile.dto.js';
import { ExportedSecondFactorDto } from '../../second-factor/dto/exported-second-factor.dto.js';
import { SecurityEventDto } from '../../security-events/dto/security-event.dto.js';
import { ExportedAccountDto } from '../../users/dto/exported-account.dto.js';

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

  @ApiProperty({
    type: ExportedSecondFactorDto,
    description: 'Two-step login: the authenticator app and how many recovery codes are left, no secret',
  })
  second_factor: ExportedSecondFactorDto;

  @ApiProperty({ type: [PasskeyDto], description: 'Passkeys, newest first: names and dates, no key material' })
  passkeys: PasskeyDto[];

  @ApiProperty({ type: [IdentityDto], description: 'Accounts of other providers linked to this one, newest first: no token of theirs' })
  identities: IdentityDto[];

  @ApiProperty({ type: [SecurityEventDto], description: 'Every security event still kept, newest first' })
  events: SecurityEventDto[];

  @ApiProperty({ type: [AppDto], description: 'The apps let in through Sign in with one_auth (as GET /user/apps lists them)' })
  apps: AppDto[];
}
