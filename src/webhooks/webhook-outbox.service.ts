import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, Not } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ErasedAccount, ErasesAccountData } from '../users/account-data.js';
import { WebhookDeliveryEntity, WebhookStatus } from './webhook-delivery.entity.js';
import { buildPayload, type WebhookEvent } from './webhook-events.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';

/** The only code that writes `webhook_deliveries` but its delivery worker: queues account events, inside the caller's transaction. */
@Injectable()
export class WebhookOutbox implements ErasesAccountData {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly worker: WebhookDeliveryWorker,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Queues one event in the caller's transaction; a no-op when no WEBHOOK_URL is configured. */
  async enqueue(manager: EntityManager, event: WebhookEvent): Promise<void> {
    const { urls } = this.config.webhooks;
    if (urls.length === 0) return;
    const now = Date.now();
    const messageId = `msg_${randomBytes(16).toString('base64url')}`;
    const payload = JSON.stringify(buildPayload(event, now));
    await manager.insert(
      WebhookDeliveryEntity,
      urls.map((endpoint) => ({
        messageId,
        endpoint,
        userId: event.userId,
        eventType: event.type,
        payload,
        status: WebhookStatus.Pending,
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        firstAttemptAt: null,
        lastError: null,
        createdAt: now,
        deliveredAt: null,
      })),
    );
    this.transactions.afterCommit(manager, () => this.worker.kick());
  }

  /**
   * Erasure, inside the caller's transaction: drops the account's deliveries
   * that are done with (their bodies are empty already). Pending ones stay:
   * relying services are owed every event, in order, before `user.deleted`,
   * which the caller queues next; each body is emptied once delivered.
   */
  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(WebhookDeliveryEntity, { userId, status: Not(WebhookStatus.Pending) });
  }

  /**
   * Done with (body already emptied) and kept a while for the operator; a
   * pending one is never touched, so per-account ordering, which only waits
   * on pending rows, is unaffected.
   */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask(
        'finishedWebhooks',
        this.transactions,
        WebhookDeliveryEntity,
        'webhook_deliveries.status IN (:...finished) AND webhook_deliveries.created_at < :before',
        { finished: [WebhookStatus.Delivered, WebhookStatus.Failed], before: cutoffs.finishedWebhooksQueuedBefore },
      ),
    ];
  }
}
