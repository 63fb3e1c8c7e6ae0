import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../../users/account-data.js';
import type { PasskeyEntity } from '../passkey.entity.js';

/** A passkey as its owner sees it (and as the export lists it): no key material. */
export class PasskeyDto {
  @ApiProperty({ example: '3f1c9a0e5b7d4e21a8c6f0b2d9e4a7c1', description: 'Public handle of the passkey (not the credential id)' })
  id: string;

  @ApiProperty({ example: 'Laptop', maxLength: 100 })
  name: string;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({
    example: '2026-11-26T07:02:13.000Z',
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Last sign-in with it; null before the first',
  })
  last_used_at: string | null;

  @ApiProperty({ example: true, description: 'Whether the authenticator syncs it beyond this device (a backup exists)' })
  backed_up: boolean;
}

export class PasskeyListDto {
  @ApiProperty({ type: [PasskeyDto], description: 'Newest first' })
  passkeys: PasskeyDto[];
}

export function toPasskeyDto(passkey: PasskeyEntity): PasskeyDto {
  return {
    id: passkey.publicId,
    name: passkey.name,
    created_at: isoTime(passkey.createdAt),
    last_used_at: passkey.lastUsedAt === null ? null : isoTime(passkey.lastUsedAt),
    backed_up: Boolean(passkey.backedUp),
  };
}
