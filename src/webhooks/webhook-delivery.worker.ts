import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { OutboxWorker } from '../outbox/outbox-worker.js';
import { retryDelayMs } from '../outbox/retry-delay.js';
import { WebhookDeliveryEntity, WebhookStatus } from './webhook-delivery.entity.js';
import { WebhookSender } from './webhook-sender.js';

const POLL_INTERVAL_MS = 1_000;
const BATCH_SIZE = 20;
/** Longer than the longest attempt (the sender's timeout), so a claim never lapses mid-send. */
const CLAIM_MS = 60_000;
const SWEEP_INTERVAL_MS = 3_600_000;

/**
 * Delivers queued events to the configured endpoints. A row is due only
 * when no earlier row of the same account and endpoint is still pending: an
 * account's events reach each endpoint in the order they happened. A row is
 * given up WEBHOOK_RETRY_FOR after its first try.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly sender: WebhookSender | null;
  private readonly outbox: OutboxWorker<WebhookDeliveryEntity>;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Cuts requests in flight short at shutdown; they count as a failed try and are sent again later. */
  private readonly shutdown = new AbortController();

  constructor(
    @InjectRepository(WebhookDeliveryEntity) deliveries: Repository<WebhookDeliveryEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
  ) {
    const { urls, secret, retryForMs, maxRetryIntervalMs } = config.webhooks;
    this.sender = urls.length > 0 && secret ? new WebhookSender(secret) : null;
    const firstAttemptAt = (delivery: WebhookDeliveryEntity, startedAt: number) => delivery.firstAttemptAt ?? startedAt;
    this.outbox = new OutboxWorker(
      deliveries,
      transactions,
      {
        name: 'webhook',
        pollIntervalMs: POLL_INTERVAL_MS,
        batchSize: BATCH_SIZE,
        claimMs: CLAIM_MS,
        deliveredStatus: WebhookStatus.Delivered,
        selectDue: (query) =>
          query
            .andWhere('o.endpoint IN (:...urls)', { urls })
            .andWhere(
              `NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier
                WHERE earlier.endpoint = o.endpoint AND earlier.user_id = o.user_id
                AND earlier.status = :pending AND earlier.id < o.id)`,
            )
            .orderBy('o.id', 'ASC'),
        attempt: (delivery, deadline) =>
          this.sender!.send(delivery.endpoint, delivery.messageId, delivery.payload, AbortSignal.any([deadline, this.shutdown.signal])),
        delivered: (delivery, startedAt) => ({ firstAttemptAt: firstAttemptAt(delivery, startedAt), deliveredAt: Date.now() }),
        failed: (delivery, attempts, startedAt) => ({
          giveUp: Date.now() - firstAttemptAt(delivery, startedAt) >= retryForMs,
          retryInMs: retryDelayMs(attempts, maxRetryIntervalMs),
          changes: { firstAttemptAt: firstAttemptAt(delivery, startedAt) },
        }),
        recorded: (delivery, outcome) => {
          const target = `${delivery.eventType} ${delivery.messageId} to ${new URL(delivery.endpoint).host}`;
          if (outcome.delivered) this.logger.log(`webhook ${target} delivered`);
          else {
            const { attempts, giveUp, reason } = outcome;
            this.logger.warn(`webhook ${target} attempt ${attempts} failed${giveUp ? ', giving up' : ''}: ${reason}`);
          }
        },
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    const sweep = () => void this.abandonUnconfigured().catch((error: Error) => this.logger.warn(`webhook sweep failed: ${error.message}`));
    this.sweepTimer = setInterval(sweep, SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    sweep();
    if (this.sender) this.outbox.start();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    const stopped = this.outbox.stop();
    this.shutdown.abort();
    await stopped;
  }

  /** Deliver whatever is due, now; coalesces with a run in progress. */
  kick(): void {
    if (this.sender) this.outbox.kick();
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
        .set({ status: WebhookStatus.Failed, payload: '', lockedUntil: null, claimedBy: null, lastError: 'endpoint not in WEBHOOK_URL' })
        .where('status = :pending AND created_at < :before', { pending: WebhookStatus.Pending, before: Date.now() - retryForMs });
      if (urls.length > 0) update.andWhere('endpoint NOT IN (:...urls)', { urls });
      return update.execute();
    });
    if (result.affected) this.logger.warn(`${result.affected} webhook deliveries to endpoints not configured given up`);
  }
}
