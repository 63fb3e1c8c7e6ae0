import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { Metrics } from '../metrics/metrics.js';
import { OutboxWorker } from '../outbox/outbox-worker.js';
import { retryDelayMs } from '../outbox/retry-delay.js';
import { type MailContent, messageIdHeader } from './mail-message.js';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport.js';
import { OutboxMessageEntity, OutboxStatus } from './outbox-message.entity.js';
import { PayloadCipher } from './payload-cipher.js';

const POLL_INTERVAL_MS = 2_000;
const BATCH_SIZE = 20;
const MAX_ATTEMPTS = 20;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Delivers the mail outbox, oldest due first: each message's sealed content
 * to its recipient, every attempt under the Message-ID fixed when it was
 * queued; a failed send is retried with backoff, 20 times at most.
 *
 * Delivery is at least once. A message the SMTP server accepted but whose
 * worker could not record it is sent again, under the same Message-ID: after
 * its claim (MAIL_CLAIM_TTL) lapses when the instance died before the commit,
 * at its retry when the server's reply to the end of DATA was lost or too
 * late. Each message's outcome is committed as soon as its own send ends, not
 * when its batch does, to keep the first window as short as SMTP allows. At
 * the default claim (2 min) an attempt may take 105 s, the worst SMTP attempt
 * anyway (DNS 5 s, connect 10 s, greeting 10 s, then up to 20 s of silence
 * per command: MAIL, RCPT, DATA, end of data), so only a shorter claim cuts
 * attempts short.
 */
@Injectable()
export class MailDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly outbox: OutboxWorker<OutboxMessageEntity>;

  constructor(
    @InjectRepository(OutboxMessageEntity) messages: Repository<OutboxMessageEntity>,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(PayloadCipher) private readonly cipher: PayloadCipher,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    transactions: TransactionRunner,
    private readonly metrics: Metrics,
  ) {
    this.outbox = new OutboxWorker(
      messages,
      transactions,
      {
        name: 'outbox',
        pollIntervalMs: POLL_INTERVAL_MS,
        batchSize: BATCH_SIZE,
        claimMs: config.mailClaimMs,
        deliveredStatus: OutboxStatus.Sent,
        selectDue: (query) => query.orderBy('o.next_attempt_at', 'ASC'),
        attempt: (message, deadline) => this.send(message, deadline),
        delivered: () => ({ sentAt: Date.now() }),
        failed: (_message, attempts) => ({ giveUp: attempts >= MAX_ATTEMPTS, retryInMs: retryDelayMs(attempts, MAX_BACKOFF_MS) }),
        recorded: (message, outcome) => {
          if (outcome.delivered) {
            this.metrics.mailSent();
            this.logger.log(`mail #${message.id} ${this.messageIdOf(message)} (${message.purpose}) delivered`);
          } else {
            this.metrics.mailFailed();
            const { attempts, giveUp, reason } = outcome;
            this.logger.warn(`mail #${message.id} attempt ${attempts} failed${giveUp ? ', giving up' : ''}: ${reason}`);
          }
        },
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.outbox.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.outbox.stop();
    this.transport.close();
  }

  /** Deliver whatever is due, now; coalesces with a run in progress. */
  kick(): void {
    this.outbox.kick();
  }

  /** One attempt at one message: its content, opened only now, to the recipient it names, under its own Message-ID. */
  private async send(message: OutboxMessageEntity, deadline: AbortSignal): Promise<void> {
    const content = this.cipher.open<MailContent>(message.payload);
    await this.transport.send({ to: message.recipient, ...content, messageId: this.messageIdOf(message) }, deadline);
  }

  private messageIdOf(message: OutboxMessageEntity): string {
    return messageIdHeader(message.messageId, this.config.mailFrom);
  }
}
