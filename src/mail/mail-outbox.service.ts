import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, MoreThan, type Repository } from 'typeorm';
import { MailDeliveryWorker } from './mail-delivery.worker.js';
import { type MailContent, newOutboxMessageId } from './mail-message.js';
import { OutboxMessageEntity, OutboxStatus } from './outbox-message.entity.js';
import { PayloadCipher } from './payload-cipher.js';

/** Puts mail in the outbox, inside the caller's transaction. */
@Injectable()
export class MailOutbox {
  constructor(
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    @Inject(PayloadCipher) private readonly cipher: PayloadCipher,
    private readonly worker: MailDeliveryWorker,
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
  }

  /**
   * Queues mail whose row must not name its recipient (the goodbye of a
   * deleted account): the address travels sealed with the content and is
   * erased with it once the message is delivered.
   */
  enqueueUnnamed(manager: EntityManager, recipient: string, purpose: string, content: MailContent): Promise<void> {
    return this.enqueue(manager, '', purpose, { ...content, to: recipient });
  }

  /** Tell the worker that something was committed to the outbox: deliver now rather than at the next poll. */
  notifyQueued(): void {
    this.worker.kick();
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
}
