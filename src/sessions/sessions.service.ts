import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, MoreThan } from 'typeorm';
import { AccessTokenEntity } from '../auth/access-token.entity.js';
import { AccessTokensService, type TokenPrincipal } from '../auth/access-tokens.service.js';
import type { ClientInfo } from '../common/client-info.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { SecurityEventType } from '../security-events/security-event.entity.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import type { SessionDto } from './dto/session.dto.js';

export const SESSION_NOT_FOUND_MESSAGE = 'Session not found';
const PUBLIC_ID = /^[0-9a-f]{32}$/;

const iso = (ms: number) => new Date(ms).toISOString();

/** The live tokens of an account, seen as sessions by their public handles. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AccessTokensService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly webhooks: WebhookOutbox,
  ) {}

  /** Writes pending `last_used_at` refreshes; a caller listing inside its own transaction does it first. */
  refresh(): Promise<void> {
    return this.tokens.flushTouches();
  }

  /** Live sessions, newest first; `current` marks the one the caller holds. */
  async list(userId: number, currentTokenId: number | null, manager?: EntityManager): Promise<SessionDto[]> {
    if (!manager) await this.refresh();
    const { expiresAfter, usedAfter } = this.tokens.liveSince(Date.now());
    const rows = await (manager ?? this.dataSource.manager).find(AccessTokenEntity, {
      where: { userId, expiresAt: MoreThan(expiresAfter), lastUsedAt: MoreThan(usedAfter) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map((row) => ({
      id: row.publicId,
      created_at: iso(row.createdAt),
      last_used_at: iso(row.lastUsedAt),
      expires_at: iso(row.expiresAt),
      user_agent: row.userAgent,
      client_address: row.clientAddress,
      current: row.id === currentTokenId,
    }));
  }

  /**
   * Revokes one of the caller's live sessions. Anything else (another
   * account's session, a revoked or expired one, a malformed id) is the same
   * 404, so ids of other accounts cannot be probed.
   */
  async revoke(principal: TokenPrincipal, publicId: string, client: ClientInfo): Promise<void> {
    const revoked =
      PUBLIC_ID.test(publicId) &&
      (await this.transactions.run(async (tx) => {
        const { expiresAfter, usedAfter } = this.tokens.liveSince(Date.now());
        const result = await tx
          .createQueryBuilder()
          .delete()
          .from(AccessTokenEntity)
          .where('public_id = :publicId AND user_id = :userId', { publicId, userId: principal.user.id })
          .andWhere('expires_at > :expiresAfter AND last_used_at > :usedAfter', { expiresAfter, usedAfter })
          .execute();
        if (result.affected !== 1) return false;
        await this.events.record(tx, principal.user.id, SecurityEventType.SessionRevoked, client);
        await this.webhooks.enqueue(tx, {
          type: 'session.revoked',
          userId: principal.user.id,
          data: { scope: 'one', session_id: publicId },
        });
        return true;
      }));
    if (!revoked) throw new NotFoundException(SESSION_NOT_FOUND_MESSAGE);
  }
}
