import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { MailContent } from './mail-message.js';
import { Metrics } from '../metrics/metrics.js';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport.js';
import { OutboxMessageEntity, OutboxStatus } from './outbox-message.entity.js';
import { PayloadCipher } from './payload-cipher.js';

const POLL_INTERVAL_MS = 2_000;
const BATCH_SIZE = 20;
/** Longer than the worst SMTP attempt (all its timeouts), so a claim never lapses mid-send. */
const CLAIM_MS = 120_000;
const MAX_ATTEMPTS = 20;
const MAX_BACKOFF_MS = 10 * 60_000;

/** Wait before attempt n+1: 1 s, 2 s, 4 s … capped at 10 min, with jitter so instances spread out. */
export function retryDelayMs(attempts: number): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Delivers the outbox. Each message is claimed with a conditional update, so
 * any number of workers (in any number of instances) can run at once without
 * sending a message twice; a failed attempt is retried with backoff.
 */
@Injectable()
export class MailDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly workerId = randomBytes(6).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private pending = false;
  private stopped = false;

  constructor(
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(PayloadCipher) private readonly cipher: PayloadCipher,
    private readonly transactions: TransactionRunner,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    this.transport.close();
  }

  /** Deliver whatever is due, now; coalesces with a run in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.drain()
      .catch((error: Error) => this.logger.warn(`outbox run failed: ${error.message}`))
      .finally(() => {
        this.running = null;
        if (this.pending) {
          this.pending = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const claimed = await this.claimDue();
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((message) => this.deliver(message)));
    }
  }

  private async claimDue(): Promise<OutboxMessageEntity[]> {
    const now = Date.now();
    const due = await this.messages
      .createQueryBuilder('m')
      .where('m.status = :pending AND m.next_attempt_at <= :now', { pending: OutboxStatus.Pending, now })
      .andWhere('(m.locked_until IS NULL OR m.locked_until < :now)', { now })
      .orderBy('m.id', 'ASC')
      .take(BATCH_SIZE)
      .getMany();
    const claimed: OutboxMessageEntity[] = [];
    for (const message of due) {
      const lockedUntil = now + CLAIM_MS;
      const result = await this.transactions.run((tx) =>
        tx
          .createQueryBuilder()
          .update(OutboxMessageEntity)
          .set({ lockedUntil })
          .where('id = :id AND status = :pending', { id: message.id, pending: OutboxStatus.Pending })
          .andWhere('(locked_until IS NULL OR locked_until < :now)', { now })
          .execute(),
      );
      if (result.affected === 1) claimed.push(Object.assign(message, { lockedUntil }));
    }
    return claimed;
  }

  private async deliver(message: OutboxMessageEntity): Promise<void> {
    const claim = { id: message.id, lockedUntil: message.lockedUntil as number };
    try {
      const content = this.cipher.open<MailContent>(message.payload);
      await this.transport.send({ to: message.recipient, ...content });
      await this.transactions.run((tx) =>
        tx.update(OutboxMessageEntity, claim, {
          status: OutboxStatus.Sent,
          payload: '',
          sentAt: Date.now(),
          attempts: message.attempts + 1,
          lockedUntil: null,
          lastError: null,
        }),
      );
      this.metrics.mailSent();
      this.logger.log(`mail #${message.id} (${message.purpose}) delivered`);
    } catch (error) {
      this.metrics.mailFailed();
      const attempts = message.attempts + 1;
      const giveUp = attempts >= MAX_ATTEMPTS;
      const reason = ((error as Error).message ?? String(error)).slice(0, 500);
      await this.transactions.run((tx) =>
        tx.update(OutboxMessageEntity, claim, {
          status: giveUp ? OutboxStatus.Failed : OutboxStatus.Pending,
          attempts,
          nextAttemptAt: Date.now() + retryDelayMs(attempts),
          lockedUntil: null,
          lastError: reason,
          ...(giveUp ? { payload: '' } : {}),
        }),
      );
      this.logger.warn(`mail #${message.id} attempt ${attempts} failed${giveUp ? ', giving up' : ''}: ${reason}`);
    }
  }
}
