import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { PayloadCipher } from '../mail/payload-cipher.js';

/**
 * Seals the client secrets of sign-in providers for storage (AES-256-GCM,
 * a key derived from SECRET for this purpose alone), bound to their
 * provider: a sealed secret copied onto another provider's row does not
 * open there.
 */
@Injectable()
export class ProviderSecrets {
  private readonly cipher: PayloadCipher;

  constructor(@Inject(appConfig.KEY) config: AppConfigType) {
    this.cipher = new PayloadCipher(config.secret, 'sign-in provider client secret');
  }

  seal(providerId: string, secret: string): string {
    return this.cipher.seal({ provider: providerId, secret });
  }

  open(providerId: string, sealed: string): string {
    const { provider, secret } = this.cipher.open<{ provider: string; secret: string }>(sealed);
    if (provider !== providerId) throw new Error('client secret sealed for another provider');
    return secret;
  }
}
