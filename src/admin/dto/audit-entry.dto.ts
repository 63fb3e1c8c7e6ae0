import { ApiProperty } from '@nestjs/swagger';
import { AdminAction } from '../../admin-audit/admin-action.js';

export class AuditEntryDto {
  @ApiProperty({ example: 1207 })
  id: number;

  @ApiProperty({ example: '2026-12-02T10:15:00.000Z', format: 'date-time' })
  at: string;

  @ApiProperty({ example: 'support-desk', description: 'The name of the API key that made the change' })
  key_name: string;

  @ApiProperty({ enum: Object.values(AdminAction), example: AdminAction.Disable })
  action: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 42,
    description: 'The account acted on; null for a change to a sign-in provider or a client',
  })
  user_id: number | null;

  @ApiProperty({
    required: false,
    example: '3f9a1c0e5b7d4e21a8c6f0b2d9e4a7c1',
    description: 'The client (a relying app) acted on; only on a change to a client',
  })
  client_id?: string;

  @ApiProperty({
    example: 'jennifer.lee@example.com',
    description: 'Its address at the time; "" once the account is erased, or for a provider',
  })
  email: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'The sign-in provider acted on (its id); null for a change to an account',
  })
  provider: string | null;

  @ApiProperty({ example: '203.0.113.7', description: 'Where the call came from' })
  client_address: string;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEntryDto], description: 'Newest first' })
  entries: AuditEntryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'aWQ6MTIwNw',
    description: 'Pass as `cursor` for older entries; null on the last page',
  })
  next_cursor: string | null;
}
