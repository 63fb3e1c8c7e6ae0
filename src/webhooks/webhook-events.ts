/** What a relying service can be told about an account. */
export type WebhookEventType =
  | 'user.activated'
  | 'user.email_changed'
  | 'user.password_changed'
  | 'user.deleted'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.mfa_enabled'
  | 'user.mfa_disabled'
  | 'session.revoked'
  | 'passkey.added'
  | 'passkey.removed'
  | 'identity.linked'
  | 'identity.unlinked';

/** One event as a feature queues it; `data` must never carry a secret (token, code, password). */
export interface WebhookEvent {
  type: WebhookEventType;
  userId: number;
  data: Record<string, unknown>;
}

/** The body POSTed to every endpoint, per the Standard Webhooks convention. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The body for an event: `data` always names the account as `user_id`. */
export function buildPayload(event: WebhookEvent, at: number): WebhookPayload {
  return { type: event.type, timestamp: new Date(at).toISOString(), data: { user_id: event.userId, ...event.data } };
}
