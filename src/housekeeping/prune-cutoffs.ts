import type { AppConfig } from '../config/app-config.js';
import { STALE_PENDING_MS } from '../rate-limit/rate-limiter.service.js';

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
}

type CutoffConfig = Pick<AppConfig, 'tokenIdleTtlMs' | 'limits' | 'housekeeping' | 'inactiveAccountTtlMs'>;

/**
 * Where each kind of row stops being needed. `tokenTouchLagMs` is how far a
 * token's stored last use may trail a use already let through.
 */
export function pruneCutoffs(config: CutoffConfig, now: number, tokenTouchLagMs: number): PruneCutoffs {
  const { codeResendIntervalMs, ...rules } = config.limits;
  const longestWindowMs = Math.max(codeResendIntervalMs, ...Object.values(rules).map((rule) => rule.windowMs));
  return {
    now,
    idleTokensUsedBefore: now - config.tokenIdleTtlMs - tokenTouchLagMs,
    sentMailQueuedBefore: now - config.limits.codeMailsPerEmail.windowMs,
    failedMailQueuedBefore: now - Math.max(config.housekeeping.failedMailTtlMs, config.limits.codeMailsPerEmail.windowMs),
    finishedWebhooksQueuedBefore: now - config.housekeeping.finishedWebhookTtlMs,
    rateEventsBefore: now - longestWindowMs,
    pendingRateEventsBefore: now - Math.max(longestWindowMs, STALE_PENDING_MS),
    imagesUploadedBefore: now - config.housekeeping.imageGraceMs,
    inactiveAccountsIdleSince: now - config.inactiveAccountTtlMs,
  };
}
