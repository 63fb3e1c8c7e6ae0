import { ApiProperty } from '@nestjs/swagger';

export class ExportedTotpDto {
  @ApiProperty({ enum: ['pending', 'enabled'], example: 'enabled', description: 'pending: enrolled, not yet confirmed by a code' })
  status: 'pending' | 'enabled';

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: '2026-11-25T08:31:00.000Z', format: 'date-time', nullable: true, type: String })
  enabled_at: string | null;
}

/** The account's second factor, without its secret or any code. */
export class ExportedSecondFactorDto {
  @ApiProperty({ type: ExportedTotpDto, nullable: true, description: 'The authenticator app (TOTP), if any' })
  totp: ExportedTotpDto | null;

  @ApiProperty({ example: 9, description: 'Recovery codes not yet used' })
  recovery_codes_left: number;
}
