import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClientInfo } from '../http/client-info.js';
import { type ProviderListing, SignInProvidersService } from '../sign-in-providers/sign-in-providers.service.js';
import { IdentitiesService } from './identities.service.js';

/**
 * Removing a provider (the CLI, the admin API): no one signs in with it
 * from the next request on, and every identity linked through it goes, each
 * account told as for an unlink (event, `identity.unlinked`), all in one
 * transaction. An account that had no other way in keeps its address: a
 * code mailed to it (9, then 3) sets a password.
 */
@Injectable()
export class ProviderRemoval {
  constructor(
    private readonly providers: SignInProvidersService,
    private readonly identities: IdentitiesService,
  ) {}

  /** Answers how many identities went; a ProviderError when there is no such provider. */
  async remove(
    id: string,
    client: ClientInfo,
    alongside?: (tx: EntityManager, provider: ProviderListing) => Promise<void>,
  ): Promise<number> {
    let unlinked = 0;
    await this.providers.remove(id, async (tx, provider) => {
      unlinked = await this.identities.forgetProvider(tx, provider, client);
      await alongside?.(tx, provider);
    });
    return unlinked;
  }
}
