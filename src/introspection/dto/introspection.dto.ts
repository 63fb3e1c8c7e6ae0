import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';

/** RFC 7662 §2.1, sent as application/x-www-form-urlencoded. */
export class IntrospectionRequestDto {
  @ApiProperty({ example: 'q3xq0p0Qmn3sF1pC4QJ0ZbZ6xg2m5mVvG6Y4vJtWv9Q', description: 'The access token to look at' })
  @IsDefined({ message: 'token is required' })
  @IsString({ message: 'token must be a string' })
  @MaxLength(4096, { message: 'token must be at most 4096 characters' })
  token: string;

  @ApiPropertyOptional({ example: 'access_token', description: 'Ignored: this service issues one kind of token' })
  token_type_hint?: string;
}

/** RFC 7662 §2.2. A token that is not live is `{"active": false}` and nothing else. */
export class IntrospectionDto {
  @ApiProperty({ example: true })
  active: boolean;

  @ApiPropertyOptional({ example: '42', description: 'The account id' })
  sub?: string;

  @ApiPropertyOptional({ example: 'jennifer.lee@example.com', description: 'The account email' })
  username?: string;

  @ApiPropertyOptional({ example: 'access_token', enum: ['access_token'] })
  token_type?: string;

  @ApiPropertyOptional({
    example: 1767225600,
    description: 'Seconds since the epoch: the earlier of the absolute expiry and the idle expiry as of the last recorded use',
  })
  exp?: number;

  @ApiPropertyOptional({ example: 1764633600, description: 'Seconds since the epoch: when the token was issued' })
  iat?: number;

  @ApiPropertyOptional({ example: 'gateway', description: 'The name of the API key that asked' })
  client_id?: string;
}
