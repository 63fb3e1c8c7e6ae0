import { Logger } from '@nestjs/common';
import { type DataSource, In } from 'typeorm';
import { forEachBatch, type PruneRule, selectBatch } from '../database/batched-delete.js';
import type { TransactionRunner } from '../database/transaction-runner.js';
import type { ProfileService } from '../profile/profile.service.js';
import { ImageEntity } from './image.entity.js';
import type { ImageStorage } from './image-storage.js';

const logger = new Logger('Housekeeping');

/** What the sweep asks the profiles' owner: which images avatars point to. */
export type AvatarReferences = Pick<ProfileService, 'avatarsOf' | 'avatarsPointingTo'>;

/**
 * Removes images uploaded before the cutoff that no profile's avatar points
 * to, then their bytes. Candidates are found cheaply: their owner's avatar
 * (read by primary key) does not point to them. Then, in the transaction
 * that deletes them, every profile is asked, so an image someone else
 * points to stays. (On SQLite writes are serialized, so no avatar changes in
 * between; on MySQL an avatar set to an image in the very transaction that
 * removes it points to nothing, as one set just after would.) Bytes go only
 * for rows that are gone; several instances may remove the same bytes, which
 * the storage allows.
 */
export async function removeOrphanImages(
  dataSource: DataSource,
  transactions: TransactionRunner,
  storage: ImageStorage,
  profiles: AvatarReferences,
  uploadedBefore: number,
  stopped: () => boolean,
): Promise<number> {
  const outOfGrace: PruneRule = { entity: ImageEntity, condition: 'images.created_at < :before', params: { before: uploadedBefore } };
  let removed = 0;
  await forEachBatch(
    (after) =>
      selectBatch<{ key: number; name: string; userId: number }>(
        dataSource,
        outOfGrace,
        after,
        ['images.name', 'name'],
        ['images.user_id', 'userId'],
      ),
    async (rows) => {
      const avatars = await profiles.avatarsOf([...new Set(rows.map((row) => Number(row.userId)))]);
      const candidates = rows.filter(({ name, userId }) => !avatars.get(Number(userId))?.includes(name));
      if (candidates.length === 0) return;
      const result = await transactions.run(async (tx) => {
        const pointedTo = await profiles.avatarsPointingTo(
          candidates.map((row) => row.name),
          tx,
        );
        const ids = candidates.filter((row) => !pointedTo.has(row.name)).map((row) => row.key);
        if (ids.length === 0) return { affected: 0 };
        return tx
          .createQueryBuilder()
          .delete()
          .from(ImageEntity)
          .where('id IN (:...ids)', { ids })
          .andWhere('images.created_at < :before', { before: uploadedBefore })
          .execute();
      });
      removed += result.affected ?? 0;
      // Whichever instance deleted a row, its bytes are now unreferenced.
      const ids = candidates.map((row) => row.key);
      const left = new Set(
        (await dataSource.getRepository(ImageEntity).find({ select: { id: true }, where: { id: In(ids) } })).map((image) => image.id),
      );
      for (const { key, name } of candidates) {
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
