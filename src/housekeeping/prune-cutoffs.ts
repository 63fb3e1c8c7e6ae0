import type { AppConfig } from '../config/app-config.js';
import type { PruneCutoffs } from '../database/pruning.js';
import { STALE_PENDING_MS } from '../rate-limit/rate-limiter.service.js';

type CutoffConfig = Pick<
  AppConfig,
  'tokenIdleTtlMs' | 'limits' | 'housekeeping' | 'inactiveAccountTtlMs' | 'securityEventRetentionMs' | 'adminAuditRetentionMs'
>;

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
    securityEventsBefore: now - config.securityEventRetentionMs,
    adminAuditBefore: now - config.adminAuditRetentionMs,
  };
}
