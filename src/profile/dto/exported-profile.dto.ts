import { OmitType } from '@nestjs/swagger';
import { UserProfileDto } from './user-profile.dto.js';

/** The profile as the profile endpoints answer it, without the email (the account part has it). */
export class ExportedProfileDto extends OmitType(UserProfileDto, ['email'] as const) {}
