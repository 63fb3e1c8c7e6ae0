import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { SecondFactorCodeField } from '../../second-factor/dto/code-field.js';
import { MAX_PASSWORD_LENGTH } from '../../users/password/password-limits.js';

/** The `response` of a ceremony: the PublicKeyCredential's toJSON(), checked by the service (any defect is "Passkey not accepted"). */
function CredentialResponseField(example: object, description: string): PropertyDecorator {
  return (target, property) => {
    ApiProperty({ type: 'object', additionalProperties: true, example, description })(target, property);
    IsDefined({ message: 'response is required' })(target, property);
    IsObject({ message: 'response must be an object' })(target, property);
  };
}

const MFA_TOKEN_DESCRIPTION = 'The mfa_token of a login that asked for a second step (4′); omit to sign in with the passkey alone';

function MfaTokenField(): PropertyDecorator {
  return (target, property) => {
    ApiPropertyOptional({ example: 'Zk9xT2pQbW5yY1l3dWhWdGFzZEZnSGpLbFpYY1ZiTm0', description: MFA_TOKEN_DESCRIPTION })(target, property);
    IsOptional()(target, property);
    IsString({ message: 'mfa_token must be a string' })(target, property);
    MaxLength(256, { message: 'mfa_token must be at most 256 characters' })(target, property);
  };
}

/** What adding a passkey asks beyond the token (28): the password again, and a code with two-step login. */
export class PasskeyRegistrationOptionsRequestDto {
  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    maxLength: MAX_PASSWORD_LENGTH,
    description:
      'The current password; required unless the account has none (made by a sign-in with another provider), which needs a token from a sign-in less than 10 minutes old instead',
  })
  @IsOptional()
  // Decorators apply bottom-up: a non-string is told so first. 4096 holds any 256 code points, as every password field allows.
  @MaxLength(4096, { message: `password must be at most ${MAX_PASSWORD_LENGTH} characters` })
  @IsString({ message: 'password must be a string' })
  password?: string;

  @SecondFactorCodeField(false)
  code?: string;
}

export class AddPasskeyDto {
  @CredentialResponseField(
    {
      id: 'KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LU',
      rawId: 'KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LU',
      type: 'public-key',
      response: {
        clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwi…',
        attestationObject: 'o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVi…',
        transports: ['internal'],
      },
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: 'platform',
    },
    'What navigator.credentials.create() gave, as PublicKeyCredential.toJSON()',
  )
  response: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'Laptop', maxLength: 100, description: 'What to call it in the list; "Passkey" when omitted' })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  name?: string;
}

export class PasskeyOptionsRequestDto {
  @MfaTokenField()
  mfa_token?: string;
}

export class PasskeySignInDto {
  @CredentialResponseField(
    {
      id: 'KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LU',
      rawId: 'KEbWNCc7NgaYnUyrNeFGX9_3Y-8oJ3KwzjnaiD1d1LU',
      type: 'public-key',
      response: {
        clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0Iiwi…',
        authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ',
        signature: 'MEUCIQD…',
        userHandle: 'Qm9iIGlzIG5vdCBhbiBlbWFpbCwgaXQgaXMgYW4gaWQu',
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    },
    'What navigator.credentials.get() gave, as PublicKeyCredential.toJSON()',
  )
  response: Record<string, unknown>;

  @MfaTokenField()
  mfa_token?: string;
}
