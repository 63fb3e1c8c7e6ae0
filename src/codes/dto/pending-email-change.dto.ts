import { ApiProperty } from '@nestjs/swagger';

export class PendingEmailChangeDto {
  @ApiProperty({ example: 'jennifer.new@example.com' })
  new_email: string;

  @ApiProperty({ example: '2026-11-25T08:40:00.000Z', format: 'date-time', description: 'When its code expires' })
  expires_at: string;
}
