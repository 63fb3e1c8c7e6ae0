import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { PayloadCipher } from '../mail/payload-cipher.js';

/**
 * Seals TOTP secrets for storage (AES-256-GCM, a key derived from SECRET
 * for this purpose alone) and bound to their account: a sealed secret copied
 * onto another account's row does not open there.
 */
@Injectable()
export class TotpSecrets {
  private readonly cipher: PayloadCipher;

  constructor(@Inject(appConfig.KEY) config: AppConfigType) {
    this.cipher = new PayloadCipher(config.secret, 'totp secret');
  }

  seal(userId: number, secret: Buffer): string {
    return this.cipher.seal({ user_id: userId, secret: secret.toString('base64') });
  }

  open(userId: number, sealed: string): Buffer {
    const { user_id: owner, secret } = this.cipher.open<{ user_id: number; secret: string }>(sealed);
    if (owner !== userId) throw new Error('TOTP secret sealed for another account');
    return Buffer.from(secret, 'base64');
  }
}
