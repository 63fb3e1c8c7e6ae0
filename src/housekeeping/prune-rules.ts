import { AccessTokenEntity } from '../auth/access-token.entity.js';
import { OutboxMessageEntity, OutboxStatus } from '../mail/outbox-message.entity.js';
import { RateBucketEntity } from '../rate-limit/rate-bucket.entity.js';
import { RateEventEntity } from '../rate-limit/rate-event.entity.js';
import { ValidationCodeEntity } from '../users/validation-code.entity.js';
import { MAX_CODE_FAILURES } from '../users/validation-codes.service.js';
import { WebhookDeliveryEntity, WebhookStatus } from '../webhooks/webhook-delivery.entity.js';
import type { PruneRule } from './batched-delete.js';
import type { PruneCutoffs } from './prune-cutoffs.js';

/** Kinds of rows pruned by a condition on the row alone, by the name the sweep reports them under. */
export function rowPruneRules(cutoffs: PruneCutoffs): Record<string, PruneRule> {
  return {
    // Revocation deletes a token at once; what is left to prune is tokens that expired unused.
    tokens: {
      entity: AccessTokenEntity,
      table: 'access_tokens',
      key: 'id',
      condition: '(access_tokens.expires_at <= :now OR access_tokens.last_used_at <= :idleBefore)',
      params: { now: cutoffs.now, idleBefore: cutoffs.idleTokensUsedBefore },
    },
    // A used code is deleted when used; expired and exhausted ones can never be used.
    codes: {
      entity: ValidationCodeEntity,
      table: 'validation_codes',
      key: 'user_id',
      condition: '(validation_codes.expires_at <= :now OR validation_codes.failed_attempts >= :maxFailures)',
      params: { now: cutoffs.now, maxFailures: MAX_CODE_FAILURES },
    },
    // The mail limit per address counts what was queued within its window, sent or not: older mail is history.
    sentMail: {
      entity: OutboxMessageEntity,
      table: 'mail_outbox',
      key: 'id',
      condition: 'mail_outbox.status = :sent AND mail_outbox.created_at < :before',
      params: { sent: OutboxStatus.Sent, before: cutoffs.sentMailQueuedBefore },
    },
    failedMail: {
      entity: OutboxMessageEntity,
      table: 'mail_outbox',
      key: 'id',
      condition: 'mail_outbox.status = :failed AND mail_outbox.created_at < :before',
      params: { failed: OutboxStatus.Failed, before: cutoffs.failedMailQueuedBefore },
    },
    // Done with (body already emptied) and kept a while for the operator; a pending one is never touched, so
    // per-account ordering, which only waits on pending rows, is unaffected.
    finishedWebhooks: {
      entity: WebhookDeliveryEntity,
      table: 'webhook_deliveries',
      key: 'id',
      condition: 'webhook_deliveries.status IN (:...finished) AND webhook_deliveries.created_at < :before',
      params: { finished: [WebhookStatus.Delivered, WebhookStatus.Failed], before: cutoffs.finishedWebhooksQueuedBefore },
    },
    rateEvents: {
      entity: RateEventEntity,
      table: 'rate_events',
      key: 'id',
      // A pending place belongs to an attempt under way (its outcome not yet counted) until it is stale.
      condition: '((rate_events.pending = 0 AND rate_events.at < :before) OR rate_events.at < :pendingBefore)',
      params: { before: cutoffs.rateEventsBefore, pendingBefore: cutoffs.pendingRateEventsBefore },
    },
    // A bucket's row only makes concurrent admissions conflict; nothing reads it, and the next admission writes it
    // anew (the window and its pending places live in rate_events). Kept as long as the longest window, so that a
    // busy bucket is not written anew after every sweep.
    rateBuckets: {
      entity: RateBucketEntity,
      table: 'rate_buckets',
      key: 'bucket',
      textKey: true,
      condition: 'rate_buckets.touched_at < :before',
      params: { before: cutoffs.rateEventsBefore },
    },
  };
}
