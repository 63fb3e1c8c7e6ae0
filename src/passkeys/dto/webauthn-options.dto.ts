import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * The WebAuthn options in their JSON form (WebAuthn Level 3: binary values
 * as base64url strings), ready for PublicKeyCredential.parseCreationOptionsFromJSON /
 * parseRequestOptionsFromJSON or a library such as @simplewebauthn/browser.
 */

const CHALLENGE_EXAMPLE = 'm3P8Zb1y2X6vQ0tWkL9sR4nH7cJ5fA2dE8gU1iO3pYw';

class RelyingPartyDto {
  @ApiProperty({ example: 'one_auth', description: 'PASSKEY_RP_NAME' })
  name: string;

  @ApiProperty({ example: 'auth.example.com', description: 'PASSKEY_RP_ID' })
  id: string;
}

class WebAuthnUserDto {
  @ApiProperty({
    example: 'Qm9iIGlzIG5vdCBhbiBlbWFpbCwgaXQgaXMgYW4gaWQu',
    description: 'The account’s WebAuthn user handle (base64url); names no one',
  })
  id: string;

  @ApiProperty({ example: 'jennifer.lee@example.com' })
  name: string;

  @ApiProperty({ example: 'jennifer.lee@example.com' })
  displayName: string;
}

class CredentialParameterDto {
  @ApiProperty({ example: -7, description: 'COSE algorithm: -7 ES256, -8 EdDSA, -257 RS256' })
  alg: number;

  @ApiProperty({ example: 'public-key', enum: ['public-key'] })
  type: string;
}

class CredentialDescriptorDto {
  @ApiProperty({ example: 'KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LU', description: 'Credential id (base64url)' })
  id: string;

  @ApiProperty({ example: 'public-key', enum: ['public-key'] })
  type: string;

  @ApiPropertyOptional({ example: ['internal', 'hybrid'], type: [String] })
  transports?: string[];
}

class AuthenticatorSelectionDto {
  @ApiProperty({ example: 'required', enum: ['required'] })
  residentKey: string;

  @ApiProperty({ example: true })
  requireResidentKey: boolean;

  @ApiProperty({ example: 'required', enum: ['required'] })
  userVerification: string;
}

class RegistrationExtensionsDto {
  @ApiProperty({ example: true, description: 'Asks the browser to say whether the credential is discoverable' })
  credProps: boolean;
}

/** 28: options for navigator.credentials.create(). */
export class RegistrationOptionsDto {
  @ApiProperty({ example: CHALLENGE_EXAMPLE, description: 'Single use, valid 5 minutes' })
  challenge: string;

  @ApiProperty({ type: RelyingPartyDto })
  rp: RelyingPartyDto;

  @ApiProperty({ type: WebAuthnUserDto })
  user: WebAuthnUserDto;

  @ApiProperty({ type: [CredentialParameterDto] })
  pubKeyCredParams: CredentialParameterDto[];

  @ApiProperty({ example: 300000, description: 'Milliseconds' })
  timeout: number;

  @ApiProperty({ example: 'none', enum: ['none'] })
  attestation: string;

  @ApiProperty({ type: [CredentialDescriptorDto], description: 'The account’s passkeys, not to be made again' })
  excludeCredentials: CredentialDescriptorDto[];

  @ApiProperty({ type: AuthenticatorSelectionDto })
  authenticatorSelection: AuthenticatorSelectionDto;

  @ApiProperty({ type: RegistrationExtensionsDto })
  extensions: RegistrationExtensionsDto;

  @ApiProperty({ type: [String], example: [] })
  hints: string[];
}

/** 31: options for navigator.credentials.get(). */
export class AuthenticationOptionsDto {
  @ApiProperty({ example: 'auth.example.com', description: 'PASSKEY_RP_ID' })
  rpId: string;

  @ApiProperty({ example: CHALLENGE_EXAMPLE, description: 'Single use, valid 5 minutes' })
  challenge: string;

  @ApiProperty({
    type: [CredentialDescriptorDto],
    description: 'Empty without mfa_token (the authenticator offers its discoverable passkeys); the account’s passkeys with one',
  })
  allowCredentials: CredentialDescriptorDto[];

  @ApiProperty({ example: 300000, description: 'Milliseconds' })
  timeout: number;

  @ApiProperty({ example: 'required', enum: ['required'] })
  userVerification: string;
}
