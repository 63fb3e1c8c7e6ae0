import { deleteInBatches, type PruneRule } from './batched-delete.js';
import type { TransactionRunner } from './transaction-runner.js';

/** Instants (epoch ms) before which a row has served its purpose. */
export interface PruneCutoffs {
  /** Codes and tokens that expired before this are dead. */
  now: number;
  /** A token last used before this is past its idle timeout. */
  idleTokensUsedBefore: number;
  /** Sent mail queued before this no longer counts towards the per-address mail limit. */
  sentMailQueuedBefore: number;
  failedMailQueuedBefore: number;
  /** A finished webhook delivery queued before this is no longer kept for the operator. */
  finishedWebhooksQueuedBefore: number;
  /** Counted rate-limit events before this lie outside every window. */
  rateEventsBefore: number;
  /** A place still pending from before this belongs to an attempt that crashed. */
  pendingRateEventsBefore: number;
  /** Images uploaded before this are out of their grace period. */
  imagesUploadedBefore: number;
  /** An account never activated whose last code (or creation) is before this is removed. */
  inactiveAccountsIdleSince: number;
  /** Security events before this are past SECURITY_EVENT_RETENTION. */
  securityEventsBefore: number;
  /** Admin audit entries before this, and keys revoked before this, are past ADMIN_AUDIT_RETENTION. */
  adminAuditBefore: number;
}

/** One kind of row an owner prunes, under the name the sweep reports it by; `run` answers how many went. */
export interface PruneTask {
  kind: string;
  run(stopped: () => boolean): Promise<number>;
}

/** An owner of rows that stop being needed: what it prunes, given where each kind stops being needed. */
export interface PrunesRows {
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[];
}

/** The task that deletes, in batches, the rows of `entity` that a condition on the row alone matches. */
export function ruleTask(
  kind: string,
  transactions: TransactionRunner,
  entity: PruneRule['entity'],
  condition: string,
  params: object,
): PruneTask {
  const rule = { entity, condition, params };
  return { kind, run: (stopped) => deleteInBatches(transactions.dataSource, transactions, rule, stopped) };
}
