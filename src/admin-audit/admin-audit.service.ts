import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, LessThan, type Repository } from 'typeorm';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ErasedAccount, ErasesAccountData } from '../users/account-data.js';
import type { AdminAction } from './admin-action.js';
import { AdminAuditEntryEntity } from './admin-audit-entry.entity.js';

/** Who did what to which account (or sign-in provider, or client), from where. */
export interface AuditRecord {
  keyName: string;
  action: AdminAction;
  target: { id: number; email: string } | { provider: string } | { clientId: string };
  clientAddress: string;
}

/**
 * The only code that writes `admin_audit`: entries recorded inside the
 * transaction of the change they describe, kept ADMIN_AUDIT_RETENTION.
 */
@Injectable()
export class AdminAudit implements ErasesAccountData {
  constructor(
    @InjectRepository(AdminAuditEntryEntity) private readonly entries: Repository<AdminAuditEntryEntity>,
    private readonly transactions: TransactionRunner,
  ) {}

  async record(tx: EntityManager, { keyName, action, target, clientAddress }: AuditRecord, at = Date.now()): Promise<void> {
    const subject =
      'provider' in target
        ? { targetUserId: null, targetEmail: '', targetProvider: target.provider, targetClientId: null }
        : 'clientId' in target
          ? { targetUserId: null, targetEmail: '', targetProvider: null, targetClientId: target.clientId }
          : { targetUserId: target.id, targetEmail: target.email, targetProvider: null, targetClientId: null };
    await tx.insert(AdminAuditEntryEntity, { at, keyName, action, ...subject, clientAddress });
  }

  /** Newest first (by id, so a page never repeats or skips an entry), continuing below `beforeId`. */
  page(beforeId: number | undefined, limit: number): Promise<AdminAuditEntryEntity[]> {
    return this.entries.find({ where: beforeId === undefined ? {} : { id: LessThan(beforeId) }, order: { id: 'DESC' }, take: limit });
  }

  /** The operator's record stays; what names the person goes (the address), the account id stays. */
  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.update(AdminAuditEntryEntity, { targetUserId: userId }, { targetEmail: '' });
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask('adminAudit', this.transactions, AdminAuditEntryEntity, 'admin_audit.at < :before', { before: cutoffs.adminAuditBefore }),
    ];
  }
}
