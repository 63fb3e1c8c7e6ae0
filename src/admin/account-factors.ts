import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClientInfo } from '../http/client-info.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { SecondFactorStore } from '../second-factor/second-factor-store.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';

/** An account's second factors, as operators see them (never a secret). */
export interface FactorSummary {
  /** Logins need a second step: a confirmed authenticator app. */
  two_step: boolean;
  /** A confirmed authenticator app (TOTP) with its recovery codes. */
  totp: boolean;
  passkeys: number;
}

/**
 * What the admin API shows of an account's second factors (`two_step`,
 * `passkeys`, `factors`), read from their owners (the second-factor and
 * passkeys modules), and what removing the second factor (36) does to
 * them: the authenticator app and its recovery codes go, passkeys stay.
 */
@Injectable()
export class AccountFactors {
  constructor(
    private readonly secondFactor: SecondFactorStore,
    private readonly passkeys: PasskeysService,
    private readonly events: SecurityEvents,
    private readonly webhooks: WebhookOutbox,
  ) {}

  /** One account's factors. */
  async describe(userId: number): Promise<FactorSummary> {
    return (await this.describeMany([userId])).get(userId)!;
  }

  /** Several accounts' at once (a page of the list): one query per owner, not one per account. */
  async describeMany(userIds: number[]): Promise<Map<number, FactorSummary>> {
    const [twoStep, passkeys] = await Promise.all([this.secondFactor.withTwoStepLogin(userIds), this.passkeys.countsOf(userIds)]);
    return new Map(userIds.map((id) => [id, { two_step: twoStep.has(id), totp: twoStep.has(id), passkeys: passkeys.get(id) ?? 0 }]));
  }

  /**
   * Removes the authenticator app (enabled or pending) and its recovery
   * codes inside the caller's transaction, as the owner's own `DELETE
   * /user/totp` does, and tells what the owner's removal tells: the
   * security event and the `user.mfa_disabled` webhook (the notice mail is
   * the operator's own). Answers whether two-step login was on.
   */
  async removeSecondFactor(tx: EntityManager, account: { id: number; email: string }, client: ClientInfo): Promise<boolean> {
    const wasOn = await this.secondFactor.hasTwoStepLogin(account.id, tx);
    await this.secondFactor.remove(tx, account.id);
    if (wasOn) {
      await this.events.record(tx, account.id, SecurityEventType.SecondFactorDisabled, client);
      await this.webhooks.enqueue(tx, { type: 'user.mfa_disabled', userId: account.id, data: { email: account.email } });
    }
    return wasOn;
  }
}
