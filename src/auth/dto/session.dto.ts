import { ApiProperty } from '@nestjs/swagger';

export class SessionDto {
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015', description: 'Public handle of the session (never the token)' })
  id: string;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: '2026-11-25T09:12:44.000Z', format: 'date-time' })
  last_used_at: string;

  @ApiProperty({ example: '2026-12-25T08:30:00.000Z', format: 'date-time', description: 'End of the absolute lifetime' })
  expires_at: string;

  @ApiProperty({ example: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', description: 'As sent at login, at most 256 characters' })
  user_agent: string;

  @ApiProperty({ example: '203.0.113.7', description: 'Client address at login' })
  client_address: string;

  @ApiProperty({ example: true, description: 'Whether this is the session the request was made with' })
  current: boolean;
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto], description: 'Live sessions, newest first' })
  sessions: SessionDto[];
}
