import { ApiProperty } from '@nestjs/swagger';
import { AUTH_METHODS, ID_TOKEN_ALGS, SUBJECT_TYPES } from '../client-registration.js';

/** A registered client, as operators see it: RFC 7591 names, never its secret. */
export class ClientDto {
  @ApiProperty({ example: '3f9a1c0e5b7d4e21a8c6f0b2d9e4a7c1' })
  client_id: string;

  @ApiProperty({ example: 'Team wiki', description: 'Shown to people on the consent page and in their apps' })
  client_name: string;

  @ApiProperty({ example: ['https://wiki.example.com/oauth2/callback'], description: 'Matched exactly' })
  redirect_uris: string[];

  @ApiProperty({ example: ['https://wiki.example.com/'], description: 'Where RP-initiated logout may return to' })
  post_logout_redirect_uris: string[];

  @ApiProperty({ type: String, nullable: true, example: 'https://wiki.example.com/oauth2/backchannel-logout' })
  backchannel_logout_uri: string | null;

  @ApiProperty({ enum: AUTH_METHODS, example: 'client_secret_basic', description: '`none`: a public client (no secret)' })
  token_endpoint_auth_method: string;

  @ApiProperty({ enum: SUBJECT_TYPES, example: 'public', description: '`pairwise`: a `sub` of its own for each person' })
  subject_type: string;

  @ApiProperty({ enum: ID_TOKEN_ALGS, example: 'RS256' })
  id_token_signed_response_alg: string;

  @ApiProperty({ example: false, description: 'The operator’s own app: people are never asked to consent' })
  first_party: boolean;

  @ApiProperty({ example: false, description: 'A confidential client that may leave PKCE out' })
  pkce_optional: boolean;

  @ApiProperty({ example: '2026-12-01T09:00:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: '2026-12-01T09:00:00.000Z', format: 'date-time' })
  updated_at: string;
}

/** A change that made a secret: the client, and the secret, shown this once. */
export class ClientWithSecretDto extends ClientDto {
  @ApiProperty({
    required: false,
    example: 'Yh2tVb3qk1m6J0r9cX8dW4sLz7pQe5uNf2aG6hT1oKs',
    description: 'For a confidential client, shown this once: store it now (256 random bits)',
  })
  client_secret?: string;
}

export class ClientListDto {
  @ApiProperty({ type: [ClientDto], description: 'In the order they were registered' })
  clients: ClientDto[];
}

export class ClientSecretDto {
  @ApiProperty({ example: '3f9a1c0e5b7d4e21a8c6f0b2d9e4a7c1' })
  client_id: string;

  @ApiProperty({ example: 'Yh2tVb3qk1m6J0r9cX8dW4sLz7pQe5uNf2aG6hT1oKs', description: 'Shown this once; the old one no longer works' })
  client_secret: string;
}
