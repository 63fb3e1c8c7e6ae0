import { type DataSource, type EntityManager, In } from 'typeorm';
import { forEachBatch, type PruneRule, selectBatch } from '../database/batched-delete.js';
import type { TransactionRunner } from '../database/transaction-runner.js';
import type { ErasedAccount } from './account-data.js';
import { UserEntity } from './user.entity.js';
import { UserStatus } from './user-status.js';

/** Erases, in the removing transaction, what other owners hold about accounts just removed. */
export type EraseAlong = (tx: EntityManager, removed: ErasedAccount[]) => Promise<void>;

/**
 * Removes accounts never activated whose last code (or, without one, their
 * creation) is older than the cutoff; their codes go by cascade, and
 * `eraseAlong` erases the rest in the same transaction. The DELETE itself
 * requires the account to be still inactive and still idle, so one activated
 * or sent a new code meanwhile stays, and only accounts really gone are
 * handed to `eraseAlong`.
 */
export async function removeInactiveAccounts(
  dataSource: DataSource,
  transactions: TransactionRunner,
  idleSince: number,
  eraseAlong: EraseAlong,
  stopped: () => boolean,
): Promise<number> {
  const rule: PruneRule = {
    entity: UserEntity,
    condition: 'users.status = :inactive AND COALESCE(users.code_sent_at, users.created_at) < :idleSince',
    params: { inactive: UserStatus.Inactive, idleSince },
  };
  let removed = 0;
  await forEachBatch(
    (after) => selectBatch<{ key: number; email: string }>(dataSource, rule, after, ['users.email', 'email']),
    async (rows) => {
      removed += await transactions.run(async (tx) => {
        const ids = rows.map((row) => row.key);
        const result = await tx
          .createQueryBuilder()
          .delete()
          .from(UserEntity)
          .where('id IN (:...ids)', { ids })
          .andWhere(rule.condition, rule.params)
          .execute();
        // Gone, whichever instance removed them (erasing twice is harmless); counted only by the one that did.
        const kept = new Set((await tx.find(UserEntity, { select: { id: true }, where: { id: In(ids) } })).map((user) => user.id));
        const gone = rows.filter((row) => !kept.has(row.key)).map((row) => ({ userId: row.key, email: row.email, addresses: [row.email] }));
        if (gone.length > 0) await eraseAlong(tx, gone);
        return result.affected ?? 0;
      });
    },
    stopped,
  );
  return removed;
}
