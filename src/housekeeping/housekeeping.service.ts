import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AdminAudit } from '../admin-audit/admin-audit.service.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { ValidationCodesService } from '../codes/validation-codes.service.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import type { PruneTask, PrunesRows } from '../database/pruning.js';
import { ImagesService } from '../images/images.service.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { SecondFactorStore } from '../second-factor/second-factor-store.service.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { LoginCodes } from '../social-sign-in/login-codes.service.js';
import { SignInFlows } from '../social-sign-in/sign-in-flows.service.js';
import { UsersService } from '../users/users.service.js';
import { AccountDataOwners } from '../users/account-data-owners.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { pruneCutoffs } from './prune-cutoffs.js';

/** How many of each kind one sweep removed; a kind that failed is missing and logged. */
export type SweepReport = Record<string, number>;

/**
 * Prunes, on a schedule, what only served a finished purpose: each owner
 * says what of its rows (and image files) is done with. Every instance runs
 * it; each delete re-checks its condition, so overlapping sweeps on several
 * instances delete every row once and never one still in use.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepReport> | null = null;
  private stopped = false;
  /** Every owner of rows that stop being needed, but the accounts themselves (first, see sweep()). */
  private readonly owners: PrunesRows[];

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly users: UsersService,
    private readonly mail: MailOutbox,
    private readonly tokens: AccessTokensService,
    codes: ValidationCodesService,
    webhooks: WebhookOutbox,
    limiter: RateLimiter,
    images: ImagesService,
    events: SecurityEvents,
    private readonly audit: AdminAudit,
    keys: ApiKeysService,
    passkeys: PasskeysService,
    secondFactor: SecondFactorStore,
    signInFlows: SignInFlows,
    loginCodes: LoginCodes,
    private readonly registered: AccountDataOwners,
  ) {
    this.owners = [tokens, codes, mail, webhooks, limiter, images, events, secondFactor, passkeys, signInFlows, loginCodes, audit, keys];
  }

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
    const tasks: PruneTask[] = [
      // First, so that the codes and mail of removed accounts go with them.
      ...this.users.pruneTasks(cutoffs, async (tx, removed) => {
        await this.mail.eraseQueuedBefore(tx, removed, cutoffs.inactiveAccountsIdleSince);
        // An operator may have acted on an account never activated (a code resent): its entries lose the address too.
        for (const account of removed) await this.audit.eraseAccount(tx, account);
      }),
      ...[...this.owners, ...this.registered.pruners()].flatMap((owner) => owner.pruneTasks(cutoffs)),
    ];
    const report: SweepReport = {};
    for (const task of tasks) {
      if (this.stopped) break;
      try {
        report[task.kind] = await task.run(() => this.stopped);
      } catch (error) {
        this.logger.warn(`pruning ${task.kind} failed: ${(error as Error).message}`);
      }
    }
    const summary = Object.entries(report)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`);
    if (summary.length > 0) this.logger.log(`pruned ${summary.join(', ')} in ${Date.now() - started} ms`);
    return report;
  }
}
