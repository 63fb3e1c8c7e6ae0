import { Inject, Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import { AccessTokenEntity } from '../auth/access-token.entity.js';
import type { ClientInfo } from '../common/client-info.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { ImageEntity } from '../images/image.entity.js';
import { IMAGE_STORAGE, type ImageStorage } from '../images/image-storage.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { GOODBYE_MAIL_PURPOSE, buildNoticeMail } from '../mail/notice-mail.js';
import { OutboxMessageEntity } from '../mail/outbox-message.entity.js';
import { ProfileService } from '../profile/profile.service.js';
import { SecurityEventEntity } from '../security-events/security-event.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { ValidationCodeEntity } from '../users/validation-code.entity.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';

/**
 * Erasure: the account and everything keyed to it go in one transaction,
 * then the image bytes leave storage. What stays: the goodbye notice (its
 * row names no one; the address is sealed with the content and erased once
 * sent), the account's webhook events not yet delivered, `user.deleted`
 * last, each until it is delivered (relying services are owed every change,
 * and need the address to erase their copy), and rate-limit events, whose
 * buckets are hashes.
 */
@Injectable()
export class AccountDeletionService {
  private readonly logger = new Logger('AccountDeletion');

  constructor(
    @Inject(IMAGE_STORAGE) private readonly storage: ImageStorage,
    private readonly transactions: TransactionRunner,
    private readonly mail: MailOutbox,
    private readonly profiles: ProfileService,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async delete(user: Pick<UserEntity, 'id' | 'email'>, client: ClientInfo): Promise<void> {
    const { id: userId, email } = user;
    const imageNames = await this.transactions.run(async (tx) => {
      const images = await tx.find(ImageEntity, { where: { userId }, select: { id: true, name: true } });
      const pending = await tx.findOneBy(ValidationCodeEntity, { userId });
      // Queued and sent mail to the account's address, and to the address of an email change under way.
      const addresses = [email, ...(pending?.newEmail ? [pending.newEmail] : [])];
      await tx.delete(OutboxMessageEntity, { recipient: In(addresses) });
      await tx.delete(AccessTokenEntity, { userId });
      await tx.delete(ValidationCodeEntity, { userId });
      await tx.delete(SecurityEventEntity, { userId });
      await this.profiles.erase(tx, userId);
      await tx.delete(ImageEntity, { userId });
      await this.webhooks.forgetAccount(tx, userId);
      await tx.delete(UserEntity, { id: userId });
      // Relying services erase their copy by it; the stored body is emptied once delivered.
      await this.webhooks.enqueue(tx, { type: 'user.deleted', userId, data: { email } });
      await this.mail.enqueueUnnamed(
        tx,
        email,
        GOODBYE_MAIL_PURPOSE,
        buildNoticeMail('account_deleted', { email, at: Date.now(), client }),
      );
      return images.map((image) => image.name);
    });
    this.mail.notifyQueued();
    for (const name of imageNames) {
      // Already unreachable (no row, no account): a failure here leaves bytes no one can name, so it is logged.
      await this.storage.delete(name).catch((error: Error) => this.logger.warn(`image ${name} not removed from storage: ${error.message}`));
    }
    await this.transactions.outside(checkpointWal).catch(() => undefined);
  }
}

/**
 * On SQLite, deleted rows live on in the write-ahead log until it is reset:
 * copy it into the database file (where secure_delete has zeroed them) and
 * truncate it. Elsewhere nothing to do.
 */
async function checkpointWal(dataSource: import('typeorm').DataSource): Promise<void> {
  if (dataSource.options.type !== 'better-sqlite3') return;
  await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
}
