import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, LessThan, type Repository } from 'typeorm';
import type { ClientInfo } from '../common/client-info.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { SecurityEventEntity, type SecurityEventType } from './security-event.entity.js';

/** What the activity endpoint shows. */
export const SHOWN_EVENTS = 100;
const PRUNE_INTERVAL_MS = 60 * 60_000;

/** Writes security events with the action they record, and prunes those past the retention period. */
@Injectable()
export class SecurityEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SecurityEvents');
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectRepository(SecurityEventEntity) private readonly events: Repository<SecurityEventEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune().catch(() => undefined), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Records an event inside the transaction of the action it describes. */
  async record(manager: EntityManager, userId: number, type: SecurityEventType, client: ClientInfo, at = Date.now()): Promise<void> {
    await manager.insert(SecurityEventEntity, { userId, type, at, clientAddress: client.address, userAgent: client.userAgent });
  }

  /**
   * Records an event that has no transaction of its own (a failed sign-in)
   * once the caller's own writes are queued: the answer must not wait for it,
   * nor take longer because there was an account to record it for.
   */
  recordLater(userId: number, type: SecurityEventType, client: ClientInfo): void {
    const at = Date.now();
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.transactions.run((tx) => this.record(tx, userId, type, client, at)))
      .catch((error: Error) => this.logger.warn(`security event not recorded: ${error.message}`));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** The newest events of an account, newest first. */
  latest(userId: number, limit = SHOWN_EVENTS, manager?: EntityManager): Promise<SecurityEventEntity[]> {
    return (manager ?? this.events.manager).find(SecurityEventEntity, {
      where: { userId },
      order: { at: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  /** Removes events older than SECURITY_EVENT_RETENTION; answers how many went. */
  async prune(now = Date.now()): Promise<number> {
    const result = await this.transactions.run((tx) =>
      tx.delete(SecurityEventEntity, { at: LessThan(now - this.config.securityEventRetentionMs) }),
    );
    return result.affected ?? 0;
  }
}
