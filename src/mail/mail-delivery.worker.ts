import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner.js';
import { Metrics } from '../metrics/metrics.js';
import { OutboxWorker } from '../outbox/outbox-worker.js';
import { retryDelayMs } from '../outbox/retry-delay.js';
import type { MailContent } from './mail-message.js';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport.js';
import { OutboxMessageEntity, OutboxStatus } from './outbox-message.entity.js';
import { PayloadCipher } from './payload-cipher.js';

const POLL_INTERVAL_MS = 2_000;
const BATCH_SIZE = 20;
/**
 * How long a claim keeps other workers off a message. Longer than the worst
 * SMTP attempt (DNS 5 s, connect 10 s, greeting 10 s, then up to 20 s of
 * silence per command: MAIL, RCPT, DATA, end of data), so a claim never
 * lapses while its worker may still deliver: that would send twice. It is
 * also how long the mail claimed by a crashed instance waits.
 */
export const CLAIM_MS = 120_000;
const MAX_ATTEMPTS = 20;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Delivers the mail outbox, oldest due first: each message's sealed content
 * to its recipient over the transport, its outcome committed as soon as its
 * own send ends; a failed send is retried with backoff, 20 times at most.
 */
@Injectable()
export class MailDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly outbox: OutboxWorker<OutboxMessageEntity>;

  constructor(
    @InjectRepository(OutboxMessageEntity) messages: Repository<OutboxMessageEntity>,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(PayloadCipher) private readonly cipher: PayloadCipher,
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
        claimMs: CLAIM_MS,
        deliveredStatus: OutboxStatus.Sent,
        selectDue: (query) => query.orderBy('o.next_attempt_at', 'ASC'),
        attempt: (message) => this.send(message),
        delivered: () => ({ sentAt: Date.now() }),
        failed: (_message, attempts) => ({ giveUp: attempts >= MAX_ATTEMPTS, retryInMs: retryDelayMs(attempts, MAX_BACKOFF_MS) }),
        recorded: (message, outcome) => {
          if (outcome.delivered) {
            this.metrics.mailSent();
            this.logger.log(`mail #${message.id} (${message.purpose}) delivered`);
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

  /** One attempt at one message: its content, opened only now, to the recipient it names. */
  private async send(message: OutboxMessageEntity): Promise<void> {
    const content = this.cipher.open<MailContent>(message.payload);
    await this.transport.send({ to: message.recipient, ...content });
  }
}
