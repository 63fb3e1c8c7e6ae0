import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PROVIDER_KINDS } from '../../sign-in-providers/provider-input.js';

/** What `providers add` takes, as a JSON body; checked further by the providers' owner (400 naming the field). */
export class AddProviderDto {
  @ApiProperty({ example: 'google', description: 'Lower-case letters, digits, dashes (at most 32): goes in /sign_in/{id}' })
  @IsDefined({ message: 'id is required' })
  @IsString({ message: 'id must be a string' })
  @MaxLength(32, { message: 'id must be at most 32 characters' })
  id: string;

  @ApiPropertyOptional({ enum: PROVIDER_KINDS, default: 'oidc', example: 'oidc' })
  @IsOptional()
  @IsIn(PROVIDER_KINDS, { message: `kind must be one of ${PROVIDER_KINDS.join(', ')}` })
  kind?: string;

  @ApiPropertyOptional({
    example: 'https://accounts.google.com',
    description: 'The OpenID issuer; required but for GitHub (https://github.com, or a GitHub Enterprise Server)',
  })
  @IsOptional()
  @IsString({ message: 'issuer must be a string' })
  @MaxLength(500, { message: 'issuer must be at most 500 characters' })
  issuer?: string;

  @ApiProperty({ example: '123456789012-abc.apps.googleusercontent.com' })
  @IsDefined({ message: 'client_id is required' })
  @IsString({ message: 'client_id must be a string' })
  @MaxLength(255, { message: 'client_id must be at most 255 characters' })
  client_id: string;

  @ApiProperty({ example: 'GOCSPX-…', description: 'Stored sealed; never shown again' })
  @IsDefined({ message: 'client_secret is required' })
  @IsString({ message: 'client_secret must be a string' })
  @MaxLength(1024, { message: 'client_secret must be at most 1024 characters' })
  client_secret: string;

  @ApiPropertyOptional({ example: 'Google', description: 'Shown to people; the id, capitalised, when absent ("GitHub" for GitHub)' })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @MaxLength(64, { message: 'name must be at most 64 characters' })
  name?: string;

  @ApiPropertyOptional({
    default: false,
    example: true,
    description: 'Believe the provider when it says an address is verified: a sign-in may then link the existing account of that address',
  })
  @IsOptional()
  @IsBoolean({ message: 'trust_email must be true or false' })
  trust_email?: boolean;
}
