import { ApiProperty } from '@nestjs/swagger';
import { PasswordField } from '../../http/request-fields.js';
import { SecondFactorCodeField } from './code-field.js';

export class StartTotpDto {
  @PasswordField('password', 'correct horse battery staple', 'The current password')
  password: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', description: 'The shared secret, base32 (RFC 4648), for typing in by hand' })
  secret: string;

  @ApiProperty({
    example:
      'otpauth://totp/one_auth:jennifer.lee%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=one_auth&algorithm=SHA1&digits=6&period=30',
    description: 'The same, as a Key URI: show it as a QR code for the authenticator app to scan',
  })
  otpauth_uri: string;
}

export class ConfirmTotpDto {
  @SecondFactorCodeField(true, 'The 6 digits the authenticator app shows for the new secret')
  code: string;
}

export class PasswordAndCodeDto {
  @PasswordField('password', 'correct horse battery staple', 'The current password')
  password: string;

  @SecondFactorCodeField(false)
  code?: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    example: [
      'k7rq-2mxa-p4vd',
      'b3nw-y6ct-e2jh',
      'q5fz-s7gk-m3ua',
      'x2dl-h6ep-w4ob',
      'c7vi-r3nq-t5ys',
      'g4mk-a2zw-j6fe',
      'u3po-n7db-l5xc',
      'e6hs-q2vt-y4ri',
      'z5ca-k3mg-b7wn',
      'w2ty-f6lu-d3pq',
    ],
    description: 'Ten single-use codes, each in place of an authenticator code once; shown this once only',
  })
  recovery_codes: string[];
}
