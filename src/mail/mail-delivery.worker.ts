import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { DrainLoop } from '../common/drain-loop.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { retryDelayMs } from '../common/retry-delay.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { type MailContent, messageIdHeader } from './mail-message.js';
import { Metrics } from '../metrics/metrics.js';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport.js';
import { OutboxMessageEntity, OutboxStatus } from './outbox-message.entity.js';
import { PayloadCipher } from './payload-cipher.js';

const POLL_INTERVAL_MS = 2_000;
const BATCH_SIZE = 20;
/**
 * The part of a claim (MAIL_CLAIM_TTL) an attempt may take; the rest is left
 * for committing its outcome. A claim must never lapse while its worker may
 * still deliver: that would send twice. At the default claim (2 min) this is
 * 105 s, the worst SMTP attempt anyway (DNS 5 s, connect 10 s, greeting 10 s,
 * then up to 20 s of silence per command: MAIL, RCPT, DATA, end of data), so
 * only a shorter claim cuts attempts short.
 */
const ATTEMPT_SHARE_OF_CLAIM = 7 / 8;
const MAX_ATTEMPTS = 20;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Delivers the outbox. Messages are claimed with a conditional update, so
 * any number of workers (in any number of instances, on any node of a
 * cluster) can run at once without sending a message twice; a failed attempt
 * is retried with backoff. Every attempt at a message carries the
 * Message-ID fixed when it was queued.
 *
 * Delivery is at least once. A message the SMTP server accepted but whose
 * worker could not record it is sent again, under the same Message-ID: after
 * its claim lapses when the instance died before the commit, at its retry when
 * the server's reply to the end of DATA was lost or too late. Each message's
 * outcome is committed as soon as its own send ends, not when its batch does,
 * to keep the first window as short as SMTP allows.
 */
@Injectable()
export class MailDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly workerId = randomBytes(6).toString('hex');
  private readonly loop = new DrainLoop(() => this.deliverDueBatch(), this.logger, 'outbox');

  constructor(
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(PayloadCipher) private readonly cipher: PayloadCipher,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(POLL_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }

  /** Deliver whatever is due, now; coalesces with a run in progress. */
  kick(): void {
    this.loop.kick();
  }

  private async deliverDueBatch(): Promise<boolean> {
    const { claimed, attemptsEndBy } = await this.claimDue();
    if (claimed.length === 0) return false;
    // The batch was claimed at once and is sent in parallel: one deadline for all of it.
    const deadline = AbortSignal.timeout(Math.max(0, attemptsEndBy - Date.now()));
    await Promise.all(claimed.map((message) => this.deliver(message, deadline)));
    return true;
  }

  /**
   * Claims up to a batch of due messages in one UPDATE, under a claim id of
   * its own, then reads back what it got. One statement, so a conflict (a
   * deadlock, or on a cluster another node's worker claiming or finishing
   * the same rows) rolls back and retries the whole claim and can never leave
   * some messages claimed and forgotten. A claim that lost reads back fewer
   * rows, or none: those are another worker's.
   */
  private async claimDue(): Promise<{ claimed: OutboxMessageEntity[]; attemptsEndBy: number }> {
    const now = Date.now();
    const claimMs = this.config.mailClaimMs;
    const attemptsEndBy = now + claimMs * ATTEMPT_SHARE_OF_CLAIM;
    const due = await this.messages
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where('m.status = :pending AND m.next_attempt_at <= :now', { pending: OutboxStatus.Pending, now })
      .andWhere('(m.locked_until IS NULL OR m.locked_until < :now)', { now })
      .orderBy('m.next_attempt_at', 'ASC')
      .limit(BATCH_SIZE)
      .getRawMany<{ id: number | string }>();
    if (due.length === 0) return { claimed: [], attemptsEndBy };
    const ids = due.map((row) => Number(row.id));
    const claimedBy = randomBytes(12).toString('hex');
    await this.transactions.run((tx) =>
      tx
        .createQueryBuilder()
        .update(OutboxMessageEntity)
        .set({ lockedUntil: now + claimMs, claimedBy })
        .where('id IN (:...ids) AND status = :pending AND next_attempt_at <= :now', { ids, pending: OutboxStatus.Pending, now })
        .andWhere('(locked_until IS NULL OR locked_until < :now)', { now })
        .execute(),
    );
    return { claimed: await this.messages.findBy({ id: In(ids), claimedBy }), attemptsEndBy };
  }

  private async deliver(message: OutboxMessageEntity, deadline: AbortSignal): Promise<void> {
    const claim = { id: message.id, claimedBy: message.claimedBy as string };
    const messageId = messageIdHeader(message.messageId, this.config.mailFrom);
    try {
      const content = this.cipher.open<MailContent>(message.payload);
      await this.transport.send({ to: message.recipient, ...content, messageId }, deadline);
      await this.transactions.run((tx) =>
        tx.update(OutboxMessageEntity, claim, {
          status: OutboxStatus.Sent,
          payload: '',
          sentAt: Date.now(),
          attempts: message.attempts + 1,
          lockedUntil: null,
          claimedBy: null,
          lastError: null,
        }),
      );
      this.metrics.mailSent();
      this.logger.log(`mail #${message.id} ${messageId} (${message.purpose}) delivered`);
    } catch (error) {
      this.metrics.mailFailed();
      const attempts = message.attempts + 1;
      const giveUp = attempts >= MAX_ATTEMPTS;
      const reason = ((error as Error).message ?? String(error)).slice(0, 500);
      await this.transactions.run((tx) =>
        tx.update(OutboxMessageEntity, claim, {
          status: giveUp ? OutboxStatus.Failed : OutboxStatus.Pending,
          attempts,
          nextAttemptAt: Date.now() + retryDelayMs(attempts, MAX_BACKOFF_MS),
          lockedUntil: null,
          claimedBy: null,
          lastError: reason,
          ...(giveUp ? { payload: '' } : {}),
        }),
      );
      this.logger.warn(`mail #${message.id} attempt ${attempts} failed${giveUp ? ', giving up' : ''}: ${reason}`);
    }
  }
}
