import { Logger } from '@nestjs/common';
import { type DataSource, In } from 'typeorm';
import { forEachBatch, type PruneRule, selectBatch } from '../database/batched-delete.js';
import type { TransactionRunner } from '../database/transaction-runner.js';
import { avatarPointsTo } from '../profile/avatar-references.js';
import { ImageEntity } from './image.entity.js';
import type { ImageStorage } from './image-storage.js';

const logger = new Logger('Housekeeping');

/**
 * Removes images uploaded before the cutoff that no profile's avatar points
 * to, then their bytes. Candidates are found cheaply (their owner's profile
 * does not point to them, an indexed lookup); the DELETE then checks every
 * profile, in the same statement, so an image someone points to stays.
 * Bytes go only for rows that are gone; several instances may remove the
 * same bytes, which the storage allows.
 */
export async function removeOrphanImages(
  dataSource: DataSource,
  transactions: TransactionRunner,
  storage: ImageStorage,
  uploadedBefore: number,
  stopped: () => boolean,
): Promise<number> {
  const dialect = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
  const candidates: PruneRule = {
    entity: ImageEntity,
    condition: `images.created_at < :before AND NOT ${avatarPointsTo(dialect, 'images.name', 'images.user_id')}`,
    params: { before: uploadedBefore },
  };
  let removed = 0;
  await forEachBatch(
    (after) => selectBatch<{ key: number; name: string }>(dataSource, candidates, after, ['images.name', 'name']),
    async (rows) => {
      const ids = rows.map((row) => row.key);
      const result = await transactions.run((tx) =>
        tx
          .createQueryBuilder()
          .delete()
          .from(ImageEntity)
          .where('id IN (:...ids)', { ids })
          .andWhere(`images.created_at < :before AND NOT ${avatarPointsTo(dialect, 'images.name')}`, { before: uploadedBefore })
          .execute(),
      );
      removed += result.affected ?? 0;
      // Whichever instance deleted a row, its bytes are now unreferenced.
      const left = new Set(
        (await dataSource.getRepository(ImageEntity).find({ select: { id: true }, where: { id: In(ids) } })).map((image) => image.id),
      );
      for (const { key, name } of rows) {
        if (left.has(key)) continue;
        try {
          await storage.delete(name);
        } catch (error) {
          logger.warn(`image ${name}: row removed, bytes not: ${(error as Error).message}`);
        }
      }
    },
    stopped,
  );
  return removed;
}
