import type { DataSource } from 'typeorm';
import type { TransactionRunner } from '../database/transaction-runner.js';
import { OutboxMessageEntity } from '../mail/outbox-message.entity.js';
import { UserEntity, UserStatus } from '../users/user.entity.js';
import { forEachBatch, type PruneRule, selectBatch } from './batched-delete.js';

/**
 * Removes accounts never activated whose last code (or, without one, their
 * creation) is older than the cutoff, with their codes (by cascade) and all
 * mail to their address. The DELETE itself requires the account to be still
 * inactive and still idle, so one activated or sent a new code meanwhile
 * stays; its mail goes only once its account row is really gone.
 */
export async function removeInactiveAccounts(
  dataSource: DataSource,
  transactions: TransactionRunner,
  idleSince: number,
  stopped: () => boolean,
): Promise<number> {
  const rule: PruneRule = {
    entity: UserEntity,
    table: 'users',
    key: 'id',
    condition: 'users.status = :inactive AND COALESCE(users.code_sent_at, users.created_at) < :idleSince',
    params: { inactive: UserStatus.Inactive, idleSince },
  };
  let removed = 0;
  await forEachBatch(
    (after) => selectBatch<{ key: number; email: string }>(dataSource, rule, after, ['users.email', 'email']),
    async (rows) => {
      removed += await transactions.run(async (tx) => {
        const accounts = await tx
          .createQueryBuilder()
          .delete()
          .from(UserEntity)
          .where('id IN (:...ids)', { ids: rows.map((row) => row.key) })
          .andWhere(rule.condition, rule.params)
          .execute();
        await tx
          .createQueryBuilder()
          .delete()
          .from(OutboxMessageEntity)
          .where('recipient IN (:...emails)', { emails: rows.map((row) => row.email) })
          // Only what was queued for the removed account: not mail to the address on another account's behalf since.
          .andWhere('mail_outbox.created_at < :idleSince', { idleSince })
          .andWhere('NOT EXISTS (SELECT 1 FROM users WHERE users.email = mail_outbox.recipient)')
          .execute();
        return accounts.affected ?? 0;
      });
    },
    stopped,
  );
  return removed;
}
