import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, MoreThan, type Repository } from 'typeorm';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ErasedAccount, ErasesAccountData } from '../users/account-data.js';
import { MailDeliveryWorker } from './mail-delivery.worker.js';
import { type MailContent, newOutboxMessageId } from './mail-message.js';
import { OutboxMessageEntity, OutboxStatus } from './outbox-message.entity.js';
import { PayloadCipher } from './payload-cipher.js';

/** The only code that writes `mail_outbox` but its delivery worker: puts mail in it, inside the caller's transaction. */
@Injectable()
export class MailOutbox implements ErasesAccountData {
  constructor(
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    @Inject(PayloadCipher) private readonly cipher: PayloadCipher,
    private readonly worker: MailDeliveryWorker,
    private readonly transactions: TransactionRunner,
  ) {}

  async enqueue(manager: EntityManager, recipient: string, purpose: string, content: MailContent): Promise<void> {
    const now = Date.now();
    await manager.insert(OutboxMessageEntity, {
      messageId: newOutboxMessageId(),
      recipient,
      purpose,
      payload: this.cipher.seal(content),
      status: OutboxStatus.Pending,
      attempts: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      lastError: null,
      createdAt: now,
      sentAt: null,
    });
    // Delivered at once once the caller's transaction commits; without one of ours, at the worker's next poll.
    this.transactions.afterCommit(manager, () => this.worker.kick());
  }

  /**
   * Queues mail whose row must not name its recipient (the goodbye of a
   * deleted account): the address travels sealed with the content and is
   * erased with it once the message is delivered.
   */
  enqueueUnnamed(manager: EntityManager, recipient: string, purpose: string, content: MailContent): Promise<void> {
    return this.enqueue(manager, '', purpose, { ...content, to: recipient });
  }

  /** How many messages of a kind were queued for a recipient since a moment. */
  countSince(recipient: string, purpose: string, since: number): Promise<number> {
    return this.messages.countBy({ recipient, purpose, createdAt: MoreThan(since) });
  }

  /** The oldest creation time among those, to say when the window frees up. */
  async oldestSince(recipient: string, purpose: string, since: number): Promise<number | null> {
    const row = await this.messages.findOne({
      where: { recipient, purpose, createdAt: MoreThan(since) },
      order: { createdAt: 'ASC' },
      select: { id: true, createdAt: true },
    });
    return row?.createdAt ?? null;
  }

  /** Queued and sent mail to the account's addresses, inside the caller's transaction. */
  async eraseAccount(tx: EntityManager, { addresses }: ErasedAccount): Promise<void> {
    await tx.delete(OutboxMessageEntity, { recipient: In(addresses) });
  }

  /**
   * The mail of accounts removed by the sweep, inside its transaction: only
   * what was queued before they went idle, not mail to an address on another
   * account's behalf since (an email change to it).
   */
  async eraseQueuedBefore(tx: EntityManager, accounts: ErasedAccount[], before: number): Promise<void> {
    const emails = accounts.map((account) => account.email);
    await tx
      .createQueryBuilder()
      .delete()
      .from(OutboxMessageEntity)
      .where('recipient IN (:...emails) AND created_at < :before', { emails, before })
      .execute();
  }

  /** The mail limit per address counts what was queued within its window, sent or not: older mail is history. */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    const finished = (kind: string, status: OutboxStatus, before: number) =>
      ruleTask(kind, this.transactions, OutboxMessageEntity, 'mail_outbox.status = :status AND mail_outbox.created_at < :before', {
        status,
        before,
      });
    return [
      finished('sentMail', OutboxStatus.Sent, cutoffs.sentMailQueuedBefore),
      finished('failedMail', OutboxStatus.Failed, cutoffs.failedMailQueuedBefore),
    ];
  }
}
