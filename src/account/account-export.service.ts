import { Injectable } from '@nestjs/common';
import { AccessTokensService, type TokenPrincipal } from '../auth/access-tokens.service.js';
import { ValidationCodesService } from '../codes/validation-codes.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { ImagesService } from '../images/images.service.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { ProfileService } from '../profile/profile.service.js';
import { SecondFactorStore } from '../second-factor/second-factor-store.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { type ExportsAccountData, isoTime } from '../users/account-data.js';
import { UsersService } from '../users/users.service.js';
import { AccountDataOwners } from '../users/account-data-owners.js';
import type { AccountExportDto } from './dto/account-export.dto.js';

/** A copy of everything held about an account, in one JSON document: each owner's part, in the document's order. Nothing secret. */
@Injectable()
export class AccountExportService {
  private readonly owners: ExportsAccountData<object>[];

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly tokens: AccessTokensService,
    private readonly events: SecurityEvents,
    users: UsersService,
    profiles: ProfileService,
    images: ImagesService,
    codes: ValidationCodesService,
    passkeys: PasskeysService,
    secondFactor: SecondFactorStore,
    identities: IdentitiesService,
    private readonly registered: AccountDataOwners,
  ) {
    this.owners = [users, profiles, tokens, images, codes, secondFactor, passkeys, identities, events];
  }

  /** The export is itself recorded, in the transaction that reads what it shows. */
  async export(principal: TokenPrincipal, client: ClientInfo): Promise<AccountExportDto> {
    const subject = { userId: principal.user.id, tokenId: principal.tokenId };
    // The sessions' last uses are written before the transaction reads them.
    await this.tokens.flushTouches();
    return this.transactions.run(async (tx) => {
      const now = Date.now();
      await this.events.record(tx, subject.userId, SecurityEventType.Export, client, now);
      const document: object = { exported_at: isoTime(now) };
      for (const owner of [...this.owners, ...this.registered.exporters()]) Object.assign(document, await owner.exportAccount(tx, subject));
      return document as AccountExportDto;
    });
  }
}
