import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { AccessTokensService, type TokenPrincipal } from './access-tokens.service.js';

export const SESSION_NOT_FOUND_MESSAGE = 'Session not found';
const PUBLIC_ID = /^[0-9a-f]{32}$/;

/**
 * Signing in and out: each token issued or revoked with its security event
 * and, for a revocation, the webhook that tells relying services, in one
 * transaction.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly tokens: AccessTokensService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly webhooks: WebhookOutbox,
  ) {}

  /**
   * Logging in: a new token and its sign-in event (which says how: a
   * password, a second step or a passkey), together; pass the manager of an
   * open transaction to join it.
   */
  login(
    userId: number,
    client: ClientInfo,
    { how = SecurityEventType.SignIn, manager }: { how?: SecurityEventType; manager?: EntityManager } = {},
  ): Promise<string> {
    const work = async (tx: EntityManager) => {
      const token = await this.tokens.issue(userId, tx, client);
      await this.events.record(tx, userId, how, client);
      return token;
    };
    return manager ? work(manager) : this.transactions.run(work);
  }

  /** Logging out this token, or with `all` every token of the account. */
  logout(principal: TokenPrincipal, scope: 'all' | undefined, client: ClientInfo): Promise<void> {
    const userId = principal.user.id;
    return this.transactions.run(async (tx) => {
      if (scope === 'all') {
        await this.signOutEverywhere(tx, userId);
      } else {
        const sessionId = await this.tokens.revoke(tx, principal.tokenId);
        await this.webhooks.enqueue(tx, { type: 'session.revoked', userId, data: { scope: 'one', session_id: sessionId } });
      }
      await this.events.record(tx, userId, scope === 'all' ? SecurityEventType.LogoutAll : SecurityEventType.Logout, client);
    });
  }

  /**
   * Every token of the account revoked, and relying services told, inside
   * the caller's transaction: logging out everywhere, and what an operator's
   * disable, sign-out and second-factor removal do.
   */
  async signOutEverywhere(tx: EntityManager, userId: number): Promise<void> {
    await this.tokens.revokeAll(userId, tx);
    await this.webhooks.enqueue(tx, { type: 'session.revoked', userId, data: { scope: 'all' } });
  }

  /**
   * Revokes one of the caller's live sessions. Anything else (another
   * account's session, a revoked or expired one, a malformed id) is the same
   * 404, so ids of other accounts cannot be probed.
   */
  async revoke(principal: TokenPrincipal, publicId: string, client: ClientInfo): Promise<void> {
    const userId = principal.user.id;
    const revoked =
      PUBLIC_ID.test(publicId) &&
      (await this.transactions.run(async (tx) => {
        if (!(await this.tokens.revokeSession(tx, userId, publicId))) return false;
        await this.events.record(tx, userId, SecurityEventType.SessionRevoked, client);
        await this.webhooks.enqueue(tx, { type: 'session.revoked', userId, data: { scope: 'one', session_id: publicId } });
        return true;
      }));
    if (!revoked) throw new NotFoundException(SESSION_NOT_FOUND_MESSAGE);
  }
}
