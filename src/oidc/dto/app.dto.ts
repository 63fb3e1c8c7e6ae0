import { ApiProperty } from '@nestjs/swagger';

/** An app the person let in through the OpenID Provider (50). */
export class AppDto {
  @ApiProperty({ example: '3f9a1c0e5b7d4e21a8c6f0b2d9e4a7c1', description: 'The app’s client id' })
  client_id: string;

  @ApiProperty({ example: 'Team wiki', description: 'The app’s name, as its operator registered it' })
  name: string;

  @ApiProperty({ example: ['openid', 'profile', 'email'], description: 'What the person let it have' })
  scopes: string[];

  @ApiProperty({ example: '2026-12-01T09:12:00.000Z', format: 'date-time', description: 'When the person first let it in' })
  granted_at: string;

  @ApiProperty({ example: '2026-12-06T17:40:00.000Z', format: 'date-time', description: 'When it was last given a token' })
  last_used_at: string;
}

export class AppListDto {
  @ApiProperty({ type: [AppDto], description: 'In the order they were let in' })
  apps: AppDto[];
}
