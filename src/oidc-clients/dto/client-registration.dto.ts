import { ApiProperty } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsDefined, IsIn, IsOptional, IsString, ValidateIf } from 'class-validator';
import { AUTH_METHODS, ID_TOKEN_ALGS, MAX_URIS, SUBJECT_TYPES } from '../client-registration.js';

/** The settings a client may be given besides its name and redirect URIs, each with a default. */
class ClientSettingsDto {
  @ApiProperty({ required: false, example: ['https://wiki.example.com/'] })
  @IsOptional()
  @IsArray({ message: 'post_logout_redirect_uris must be an array of strings' })
  @IsString({ each: true, message: 'post_logout_redirect_uris must be an array of strings' })
  post_logout_redirect_uris?: string[];

  @ApiProperty({ required: false, type: String, nullable: true, example: 'https://wiki.example.com/oauth2/backchannel-logout' })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsString({ message: 'backchannel_logout_uri must be a string or null' })
  backchannel_logout_uri?: string | null;

  @ApiProperty({ required: false, enum: AUTH_METHODS, example: 'client_secret_basic' })
  @IsOptional()
  @IsIn(AUTH_METHODS, { message: `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}` })
  token_endpoint_auth_method?: (typeof AUTH_METHODS)[number];

  @ApiProperty({ required: false, enum: SUBJECT_TYPES, example: 'public' })
  @IsOptional()
  @IsIn(SUBJECT_TYPES, { message: `subject_type must be one of ${SUBJECT_TYPES.join(', ')}` })
  subject_type?: (typeof SUBJECT_TYPES)[number];

  @ApiProperty({ required: false, enum: ID_TOKEN_ALGS, example: 'RS256' })
  @IsOptional()
  @IsIn(ID_TOKEN_ALGS, { message: `id_token_signed_response_alg must be one of ${ID_TOKEN_ALGS.join(', ')}` })
  id_token_signed_response_alg?: (typeof ID_TOKEN_ALGS)[number];

  @ApiProperty({ required: false, example: false })
  @IsOptional()
  @IsBoolean({ message: 'first_party must be true or false' })
  first_party?: boolean;

  @ApiProperty({ required: false, example: false })
  @IsOptional()
  @IsBoolean({ message: 'pkce_optional must be true or false' })
  pkce_optional?: boolean;
}

/** What may change of a client (PATCH): any of these, the rest stays. */
export class UpdateClientDto extends ClientSettingsDto {
  @ApiProperty({ required: false, example: 'Team wiki' })
  @IsOptional()
  @IsString({ message: 'client_name must be a string' })
  client_name?: string;

  @ApiProperty({ required: false, example: ['https://wiki.example.com/oauth2/callback'], description: `1 to ${MAX_URIS}, matched exactly` })
  @IsOptional()
  @IsArray({ message: 'redirect_uris must be an array of strings' })
  @IsString({ each: true, message: 'redirect_uris must be an array of strings' })
  redirect_uris?: string[];
}

/** A new client (POST): a name and its redirect URIs at least; the rest has defaults (a confidential, third-party, public-subject RS256 client). */
export class CreateClientDto extends ClientSettingsDto {
  @ApiProperty({ example: 'Team wiki' })
  @IsDefined({ message: 'client_name is required' })
  @IsString({ message: 'client_name must be a string' })
  client_name: string;

  @ApiProperty({ example: ['https://wiki.example.com/oauth2/callback'], description: `1 to ${MAX_URIS}, matched exactly` })
  @IsDefined({ message: 'redirect_uris is required' })
  @IsArray({ message: 'redirect_uris must be an array of strings' })
  @IsString({ each: true, message: 'redirect_uris must be an array of strings' })
  redirect_uris: string[];
}
