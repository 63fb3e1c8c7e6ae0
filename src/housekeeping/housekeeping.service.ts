import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { IMAGE_STORAGE, type ImageStorage } from '../images/image-storage.js';
import { deleteInBatches } from './batched-delete.js';
import { removeInactiveAccounts } from './inactive-accounts.js';
import { removeOrphanImages } from './orphan-images.js';
import { pruneCutoffs } from './prune-cutoffs.js';
import { rowPruneRules } from './prune-rules.js';

/** How many of each kind one sweep removed; a kind that failed is missing and logged. */
export type SweepReport = Record<string, number>;

/**
 * Prunes, on a schedule, what only served a finished purpose: accounts never
 * activated, dead codes, expired tokens, sent and failed mail, old rate-limit
 * events, and images no profile points to (their bytes too). Every instance
 * runs it; each delete re-checks its condition, so overlapping sweeps on
 * several instances delete every row once and never one still in use.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepReport> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    @Inject(IMAGE_STORAGE) private readonly storage: ImageStorage,
    private readonly transactions: TransactionRunner,
    private readonly tokens: AccessTokensService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One whole sweep, now; waits for one already under way in this instance first. */
  async runOnce(): Promise<SweepReport> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.sweep();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Instances started together drift apart: each waits the interval give or take a fifth. */
  private schedule(): void {
    if (this.stopped) return;
    const delay = this.config.housekeeping.intervalMs * (0.8 + Math.random() * 0.4);
    this.timer = setTimeout(() => void this.runOnce().finally(() => this.schedule()), delay);
    this.timer.unref();
  }

  private async sweep(): Promise<SweepReport> {
    const started = Date.now();
    const cutoffs = pruneCutoffs(this.config, started, this.tokens.touchLagMs);
    const stopped = () => this.stopped;
    const tasks: [string, () => Promise<number>][] = [
      // First, so that the codes and mail of removed accounts go with them.
      ['inactiveAccounts', () => removeInactiveAccounts(this.dataSource, this.transactions, cutoffs.inactiveAccountsIdleSince, stopped)],
      ...Object.entries(rowPruneRules(cutoffs)).map(([kind, rule]): [string, () => Promise<number>] => [
        kind,
        () => deleteInBatches(this.dataSource, this.transactions, rule, stopped),
      ]),
      ['images', () => removeOrphanImages(this.dataSource, this.transactions, this.storage, cutoffs.imagesUploadedBefore, stopped)],
    ];
    const report: SweepReport = {};
    for (const [kind, task] of tasks) {
      if (this.stopped) break;
      try {
        report[kind] = await task();
      } catch (error) {
        this.logger.warn(`pruning ${kind} failed: ${(error as Error).message}`);
      }
    }
    const summary = Object.entries(report)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`);
    if (summary.length > 0) this.logger.log(`pruned ${summary.join(', ')} in ${Date.now() - started} ms`);
    return report;
  }
}
