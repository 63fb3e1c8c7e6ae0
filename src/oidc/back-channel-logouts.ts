import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { OidcClientsService } from '../oidc-clients/oidc-clients.service.js';
import { OutboxWorker } from '../outbox/outbox-worker.js';
import { retryDelayMs } from '../outbox/retry-delay.js';
import { LogoutDeliveryEntity, LogoutDeliveryStatus } from './logout-delivery.entity.js';
import { postLogoutToken } from './logout-sender.js';
import { signLogoutToken } from './logout-token.js';
import type { SigningAlg } from './key-set.js';
import { SigningKeys } from './signing-keys.service.js';

/** One logout owed to a client: about whom (as the client knows them), and which session when one ended. */
export interface OwedLogout {
  clientId: string;
  endpoint: string;
  sub: string;
  sid?: string;
}

interface LogoutPayload {
  sub: string;
  sid?: string;
  jti: string;
}

const POLL_INTERVAL_MS = 1_000;
const BATCH_SIZE = 20;
/** Longer than the longest try (the sender's timeout), so a claim never lapses mid-send. */
const CLAIM_MS = 60_000;
/** As webhooks: at most a minute between tries, for a day. */
const MAX_RETRY_INTERVAL_MS = 60_000;
const RETRY_FOR_MS = 24 * 3_600_000;

/**
 * Back-channel logouts (48): queued in the transaction that ends a session
 * (never sent inside the request), delivered by any instance from the
 * outbox, with retries and backoff like webhooks, each with a `jti` of its
 * own that stays the same on every try. The only code that writes
 * `oidc_logout_deliveries`.
 */
@Injectable()
export class BackChannelLogouts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BackChannelLogout');
  private readonly outbox: OutboxWorker<LogoutDeliveryEntity>;
  private readonly shutdown = new AbortController();

  constructor(
    @InjectRepository(LogoutDeliveryEntity) deliveries: Repository<LogoutDeliveryEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly clients: OidcClientsService,
    private readonly keys: SigningKeys,
  ) {
    const firstAttemptAt = (delivery: LogoutDeliveryEntity, startedAt: number) => delivery.firstAttemptAt ?? startedAt;
    this.outbox = new OutboxWorker(
      deliveries,
      transactions,
      {
        name: 'back-channel logout',
        pollIntervalMs: POLL_INTERVAL_MS,
        batchSize: BATCH_SIZE,
        claimMs: CLAIM_MS,
        deliveredStatus: LogoutDeliveryStatus.Delivered,
        selectDue: (query) => query.orderBy('o.id', 'ASC'),
        attempt: (delivery, deadline) => this.deliver(delivery, AbortSignal.any([deadline, this.shutdown.signal])),
        delivered: (delivery, startedAt) => ({ firstAttemptAt: firstAttemptAt(delivery, startedAt), deliveredAt: Date.now() }),
        failed: (delivery, attempts, startedAt) => ({
          giveUp: Date.now() - firstAttemptAt(delivery, startedAt) >= RETRY_FOR_MS,
          retryInMs: retryDelayMs(attempts, MAX_RETRY_INTERVAL_MS),
          changes: { firstAttemptAt: firstAttemptAt(delivery, startedAt) },
        }),
        recorded: (delivery, outcome) => {
          const target = `to client ${delivery.clientId} at ${new URL(delivery.endpoint).host}`;
          if (outcome.delivered) this.logger.log(`logout ${target} delivered`);
          else {
            const { attempts, giveUp, reason } = outcome;
            this.logger.warn(`logout ${target} attempt ${attempts} failed${giveUp ? ', giving up' : ''}: ${reason}`);
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
    const stopped = this.outbox.stop();
    this.shutdown.abort();
    await stopped;
  }

  /** Queues logouts in the caller's transaction; the worker is woken once it commits. */
  async enqueue(tx: EntityManager, logouts: OwedLogout[]): Promise<void> {
    if (logouts.length === 0) return;
    const now = Date.now();
    await tx.insert(
      LogoutDeliveryEntity,
      logouts.map((logout) => ({
        clientId: logout.clientId,
        endpoint: logout.endpoint,
        payload: JSON.stringify({
          sub: logout.sub,
          ...(logout.sid === undefined ? {} : { sid: logout.sid }),
          jti: randomBytes(16).toString('base64url'),
        } satisfies LogoutPayload),
        status: LogoutDeliveryStatus.Pending,
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        claimedBy: null,
        lastError: null,
        createdAt: now,
        firstAttemptAt: null,
        deliveredAt: null,
      })),
    );
    this.transactions.afterCommit(tx, () => this.outbox.kick());
  }

  /**
   * One try: the token is signed now (its `iat` is the try's) with the key
   * of the algorithm the client registered. A client deleted meanwhile is
   * owed nothing more: the row is done with.
   */
  private async deliver(delivery: LogoutDeliveryEntity, abort: AbortSignal): Promise<void> {
    const metadata = await this.clients.providerMetadataOf(delivery.clientId);
    if (!metadata) return;
    const payload = JSON.parse(delivery.payload) as LogoutPayload;
    const alg = metadata.id_token_signed_response_alg as SigningAlg;
    const token = await signLogoutToken(
      { issuer: this.config.oidc.issuer, clientId: delivery.clientId, ...payload },
      alg,
      await this.keys.current(),
    );
    await postLogoutToken(delivery.endpoint, token, abort);
  }

  /** Delivered or given up, and kept as long as finished webhooks are, for the operator. */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask(
        'oidcLogouts',
        this.transactions,
        LogoutDeliveryEntity,
        'oidc_logout_deliveries.status IN (:...finished) AND oidc_logout_deliveries.created_at < :before',
        { finished: [LogoutDeliveryStatus.Delivered, LogoutDeliveryStatus.Failed], before: cutoffs.finishedWebhooksQueuedBefore },
      ),
    ];
  }
}
