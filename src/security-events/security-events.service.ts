import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, LessThan, type Repository } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import type { PruneCutoffs, PruneTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import type { ErasedAccount, ErasesAccountData, ExportsAccountData } from '../users/account-data.js';
import { type SecurityEventDto, toSecurityEventDto } from './dto/security-event.dto.js';
import { SecurityEventEntity } from './security-event.entity.js';
import type { SecurityEventType } from './security-event-type.js';

/** What the activity endpoint shows. */
export const SHOWN_EVENTS = 100;

/** The only code that writes `security_events`: recorded with the action they describe, pruned past their retention. */
@Injectable()
export class SecurityEvents implements OnApplicationShutdown, ErasesAccountData, ExportsAccountData<{ events: SecurityEventDto[] }> {
  private readonly logger = new Logger('SecurityEvents');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectRepository(SecurityEventEntity) private readonly events: Repository<SecurityEventEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Records an event inside the transaction of the action it describes; `appName` for a sign-in to an app (oidc.sign_in). */
  async record(
    manager: EntityManager,
    userId: number,
    type: SecurityEventType,
    client: ClientInfo,
    at = Date.now(),
    appName: string | null = null,
  ): Promise<void> {
    await manager.insert(SecurityEventEntity, { userId, type, at, clientAddress: client.address, userAgent: client.userAgent, appName });
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
  async latest(userId: number, limit = SHOWN_EVENTS, manager?: EntityManager): Promise<SecurityEventDto[]> {
    const events = await (manager ?? this.events.manager).find(SecurityEventEntity, {
      where: { userId },
      order: { at: 'DESC', id: 'DESC' },
      take: limit,
    });
    return events.map(toSecurityEventDto);
  }

  /** Removes events older than SECURITY_EVENT_RETENTION (recorded before `before`); answers how many went. */
  async prune(before = Date.now() - this.config.securityEventRetentionMs): Promise<number> {
    const result = await this.transactions.run((tx) => tx.delete(SecurityEventEntity, { at: LessThan(before) }));
    return result.affected ?? 0;
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(SecurityEventEntity, { userId });
  }

  /** Every event still kept, newest first. */
  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<{ events: SecurityEventDto[] }> {
    return { events: await this.latest(userId, Number.MAX_SAFE_INTEGER, tx) };
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [{ kind: 'securityEvents', run: () => this.prune(cutoffs.securityEventsBefore) }];
  }
}
