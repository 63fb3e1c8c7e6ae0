import { ApiProperty } from '@nestjs/swagger';
import { PROVIDER_KINDS } from '../provider-input.js';
import type { ProviderListing } from '../sign-in-providers.service.js';

/** A provider as anyone may see it: what a "Continue with …" button needs. */
export class PublicProviderDto {
  @ApiProperty({ example: 'google', description: 'Goes in GET /sign_in/{provider}' })
  id: string;

  @ApiProperty({ example: 'Google', description: 'Shown to people: "Continue with Google"' })
  name: string;
}

export class PublicProviderListDto {
  @ApiProperty({ type: [PublicProviderDto], description: 'In the order the operator added them' })
  providers: PublicProviderDto[];
}

/** A provider as operators see it: never its client secret. */
export class ProviderDto extends PublicProviderDto {
  @ApiProperty({ enum: PROVIDER_KINDS, example: 'oidc', description: '`oidc`: OpenID Connect, by discovery; `github`: GitHub OAuth app' })
  kind: string;

  @ApiProperty({ example: 'https://accounts.google.com', description: 'The OpenID issuer (for GitHub, the web address of the instance)' })
  issuer: string;

  @ApiProperty({ example: '123456789012-abc.apps.googleusercontent.com' })
  client_id: string;

  @ApiProperty({ example: true, description: 'Whether an address it says is verified may link an existing account' })
  trust_email: boolean;

  @ApiProperty({ example: '2026-12-01T09:00:00.000Z', format: 'date-time' })
  created_at: string;
}

export class ProviderListDto {
  @ApiProperty({ type: [ProviderDto] })
  providers: ProviderDto[];
}

export function toProviderDto(provider: ProviderListing): ProviderDto {
  return {
    id: provider.id,
    name: provider.name,
    kind: provider.kind,
    issuer: provider.issuer,
    client_id: provider.clientId,
    trust_email: provider.trustEmail,
    created_at: new Date(provider.createdAt).toISOString(),
  };
}
