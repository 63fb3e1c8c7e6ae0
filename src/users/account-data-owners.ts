import { Injectable } from '@nestjs/common';
import type { PrunesRows } from '../database/pruning.js';
import type { ErasesAccountData, ExportsAccountData } from './account-data.js';

/** What a module that holds data about accounts takes part in: erasure, the export, the scheduled pruning. */
export type AccountDataOwner = Partial<ErasesAccountData & ExportsAccountData<object> & PrunesRows>;

/**
 * Owners of account data beyond those the orchestrations (deletion, export,
 * housekeeping) name themselves. The seam for a module those orchestrations
 * must not import (the OpenID Provider, which imports most of them): it
 * imports this module and, from its `onModuleInit`, calls `register`. Each
 * orchestration takes the registered owners along with its own list, when
 * it runs.
 */
@Injectable()
export class AccountDataOwners {
  private readonly owners: AccountDataOwner[] = [];

  register(owner: AccountDataOwner): void {
    this.owners.push(owner);
  }

  erasers(): ErasesAccountData[] {
    return this.owners.filter((owner): owner is ErasesAccountData => owner.eraseAccount !== undefined);
  }

  exporters(): ExportsAccountData<object>[] {
    return this.owners.filter((owner): owner is ExportsAccountData<object> => owner.exportAccount !== undefined);
  }

  pruners(): PrunesRows[] {
    return this.owners.filter((owner): owner is PrunesRows => owner.pruneTasks !== undefined);
  }
}
