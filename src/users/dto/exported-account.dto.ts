import { ApiProperty } from '@nestjs/swagger';
import { UserStatus } from '../user-status.js';

export class ExportedAccountDto {
  @ApiProperty({ example: 'jennifer.lee@example.com' })
  email: string;

  // Only its owner exports an account, and a disabled one cannot sign in to.
  @ApiProperty({ enum: [UserStatus.Inactive, UserStatus.Active], example: UserStatus.Active })
  status: string;

  @ApiProperty({ example: '2026-11-01T10:00:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  updated_at: string;
}
