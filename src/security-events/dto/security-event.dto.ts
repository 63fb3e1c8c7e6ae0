import { ApiProperty } from '@nestjs/swagger';
import type { SecurityEventEntity } from '../security-event.entity.js';
import { SecurityEventType } from '../security-event-type.js';

export class SecurityEventDto {
  @ApiProperty({ enum: Object.values(SecurityEventType), example: SecurityEventType.SignIn })
  type: string;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  at: string;

  @ApiProperty({ example: '203.0.113.7' })
  client_address: string;

  @ApiProperty({ example: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' })
  user_agent: string;

  @ApiProperty({ required: false, example: 'Team wiki', description: 'The app signed in to; only on `oidc.sign_in`' })
  app?: string;
}

export class SecurityEventListDto {
  @ApiProperty({ type: [SecurityEventDto], description: 'Newest first, at most 100' })
  events: SecurityEventDto[];
}

/** Everything kept about an event except its row id: no secret is ever part of one. */
export function toSecurityEventDto(event: SecurityEventEntity): SecurityEventDto {
  return {
    type: event.type,
    at: new Date(event.at).toISOString(),
    client_address: event.clientAddress,
    user_agent: event.userAgent,
    ...(event.appName === null ? {} : { app: event.appName }),
  };
}
