import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { DrainLoop } from '../outbox/drain-loop.js';
import { retryDelayMs } from '../outbox/retry-delay.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { WebhookDeliveryEntity, WebhookStatus } from './webhook-delivery.entity.js';
import { WebhookSender } from './webhook-sender.js';

const POLL_INTERVAL_MS = 1_000;
/** After an enqueue, look again this soon: the caller has usually committed by then. */
const KICK_DELAY_MS = 50;
const BATCH_SIZE = 20;
/** Longer than the longest attempt (the sender's timeout), so a claim never lapses mid-send. */
const CLAIM_MS = 60_000;
const SWEEP_INTERVAL_MS = 3_600_000;

/**
 * Delivers queued events. Rows are claimed with a conditional update, so any
 * number of instances can run it without two sending one row at once. A row
 * is due only when no earlier row of the same account and endpoint is still
 * pending: an account's events reach each endpoint in the order they happened.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly sender: WebhookSender | null;
  private readonly loop = new DrainLoop(() => this.deliverDueBatch(), this.logger, 'webhook');
  private kickTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Cuts requests in flight short at shutdown; they count as a failed try and are sent again later. */
  private readonly shutdown = new AbortController();

  constructor(
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
  ) {
    const { urls, secret } = config.webhooks;
    this.sender = urls.length > 0 && secret ? new WebhookSender(secret) : null;
  }

  onApplicationBootstrap(): void {
    const sweep = () => void this.abandonUnconfigured().catch((error: Error) => this.logger.warn(`webhook sweep failed: ${error.message}`));
    this.sweepTimer = setInterval(sweep, SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    sweep();
    if (this.sender) this.loop.start(POLL_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    clearTimeout(this.kickTimer);
    const stopped = this.loop.stop();
    this.shutdown.abort();
    await stopped;
  }

  /** Deliver whatever is due shortly, without waiting for the next poll. */
  kickSoon(): void {
    if (this.loop.isStopped || !this.sender || this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      this.kick();
    }, KICK_DELAY_MS);
    this.kickTimer.unref();
  }

  /** Deliver whatever is due, now; coalesces with a run in progress. */
  kick(): void {
    if (this.sender) this.loop.kick();
  }

  private async deliverDueBatch(): Promise<boolean> {
    const claimed = await this.claimDue();
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return claimed.length > 0;
  }

  /**
   * Rows for a URL not in WEBHOOK_URL are never tried here. Once past the
   * retry period they are given up and their bodies dropped, so that no
   * address lingers in them; younger ones may still be another instance's.
   */
  async abandonUnconfigured(): Promise<void> {
    const { urls, retryForMs } = this.config.webhooks;
    const result = await this.transactions.run((tx) => {
      const update = tx
        .createQueryBuilder()
        .update(WebhookDeliveryEntity)
        .set({ status: WebhookStatus.Failed, payload: '', lockedUntil: null, lastError: 'endpoint not in WEBHOOK_URL' })
        .where('status = :pending AND created_at < :before', { pending: WebhookStatus.Pending, before: Date.now() - retryForMs });
      if (urls.length > 0) update.andWhere('endpoint NOT IN (:...urls)', { urls });
      return update.execute();
    });
    if (result.affected) this.logger.warn(`${result.affected} webhook deliveries to endpoints not configured given up`);
  }

  private async claimDue(): Promise<WebhookDeliveryEntity[]> {
    const now = Date.now();
    const due = await this.deliveries
      .createQueryBuilder('d')
      .where('d.status = :pending AND d.next_attempt_at <= :now', { pending: WebhookStatus.Pending, now })
      .andWhere('(d.locked_until IS NULL OR d.locked_until < :now)', { now })
      .andWhere('d.endpoint IN (:...urls)', { urls: this.config.webhooks.urls })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier
          WHERE earlier.endpoint = d.endpoint AND earlier.user_id = d.user_id
          AND earlier.status = :pending AND earlier.id < d.id)`,
      )
      .orderBy('d.id', 'ASC')
      .take(BATCH_SIZE)
      .getMany();
    const claimed: WebhookDeliveryEntity[] = [];
    for (const delivery of due) {
      const lockedUntil = now + CLAIM_MS;
      // A claim lost to another instance (on a cluster, as a deadlock) just leaves the row to it.
      const result = await this.transactions
        .run((tx) =>
          tx
            .createQueryBuilder()
            .update(WebhookDeliveryEntity)
            .set({ lockedUntil })
            .where('id = :id AND status = :pending', { id: delivery.id, pending: WebhookStatus.Pending })
            .andWhere('(locked_until IS NULL OR locked_until < :now)', { now })
            .execute(),
        )
        .catch(() => ({ affected: 0 }));
      if (result.affected === 1) claimed.push(Object.assign(delivery, { lockedUntil }));
    }
    return claimed;
  }

  private async deliver(delivery: WebhookDeliveryEntity): Promise<void> {
    const claim = { id: delivery.id, lockedUntil: delivery.lockedUntil as number };
    const startedAt = Date.now();
    const firstAttemptAt = delivery.firstAttemptAt ?? startedAt;
    const attempts = delivery.attempts + 1;
    const target = `${delivery.eventType} ${delivery.messageId} to ${new URL(delivery.endpoint).host}`;
    try {
      await this.sender!.send(delivery.endpoint, delivery.messageId, delivery.payload, this.shutdown.signal);
      await this.transactions.run((tx) =>
        tx.update(WebhookDeliveryEntity, claim, {
          status: WebhookStatus.Delivered,
          payload: '',
          attempts,
          firstAttemptAt,
          deliveredAt: Date.now(),
          lockedUntil: null,
          lastError: null,
        }),
      );
      this.logger.log(`webhook ${target} delivered`);
    } catch (error) {
      const reason = ((error as Error).message ?? String(error)).slice(0, 500);
      const giveUp = Date.now() - firstAttemptAt >= this.config.webhooks.retryForMs;
      await this.transactions.run((tx) =>
        tx.update(WebhookDeliveryEntity, claim, {
          status: giveUp ? WebhookStatus.Failed : WebhookStatus.Pending,
          attempts,
          firstAttemptAt,
          nextAttemptAt: Date.now() + retryDelayMs(attempts, this.config.webhooks.maxRetryIntervalMs),
          lockedUntil: null,
          lastError: reason,
          ...(giveUp ? { payload: '' } : {}),
        }),
      );
      this.logger.warn(`webhook ${target} attempt ${attempts} failed${giveUp ? ', giving up' : ''}: ${reason}`);
    }
  }
}
