import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { PayloadCipher } from '../mail/payload-cipher.js';

/**
 * Client secrets: 256 random bits, shown once, kept sealed (AES-256-GCM
 * under a key derived from SECRET for this purpose alone) and bound to their
 * client, so a sealed secret copied onto another client's row does not open
 * there. Sealed rather than hashed: the provider compares the secret itself
 * (`client_secret_basic` and `_post`), and would need it to check an HS256
 * signature should a client ever use one.
 */
@Injectable()
export class ClientSecrets {
  private readonly cipher: PayloadCipher;

  constructor(@Inject(appConfig.KEY) config: AppConfigType) {
    this.cipher = new PayloadCipher(config.secret, 'oidc client secret');
  }

  generate(): string {
    return randomBytes(32).toString('base64url');
  }

  seal(clientId: string, secret: string): string {
    return this.cipher.seal({ client_id: clientId, secret });
  }

  open(clientId: string, sealed: string): string {
    const { client_id: owner, secret } = this.cipher.open<{ client_id: string; secret: string }>(sealed);
    const matches = owner.length === clientId.length && timingSafeEqual(Buffer.from(owner), Buffer.from(clientId));
    if (!matches) throw new Error('client secret sealed for another client');
    return secret;
  }
}
