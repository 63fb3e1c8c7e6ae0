import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { randomBytes } from 'node:crypto';
import type { ClientInfo } from '../common/client-info.js';
import { normalizeEmail } from '../common/email.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { SecurityEventType } from '../security-events/security-event.entity.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { lockAccount } from '../users/account-lock.js';
import { UserStatus } from '../users/user.entity.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { AccessTokenEntity } from './access-token.entity.js';
import { generateToken, hashToken } from './token-hash.js';
import { createTokenLookup, type TokenLookup, type TokenUser, toTokenUser } from './token-lookup.js';
import { TokenTouches } from './token-touches.js';

/** Who a request is, once its token checked out. */
export interface TokenPrincipal {
  user: TokenUser;
  tokenId: number;
  /** The token the request carried, for answers that echo it. */
  accessToken: string;
}

/** `last_used_at` is refreshed at most this often per token (a tenth of the idle timeout), not on every request. */
const MAX_TOUCH_INTERVAL_MS = 60_000;
/** Refreshes are written together, this often. */
const TOUCH_FLUSH_MS = 1_000;
/** Revoked at most per login: more only when the cap was lowered, and later logins take the rest. */
const REVOKE_BATCH = 500;

@Injectable()
export class AccessTokensService implements OnApplicationShutdown {
  private readonly touches: TokenTouches;
  private readonly touchIntervalMs: number;
  private readonly lookup: TokenLookup;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly webhooks: WebhookOutbox,
    causal: CausalReads,
  ) {
    this.lookup = createTokenLookup(dataSource, causal);
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, config.tokenIdleTtlMs / 10);
    this.touches = new TokenTouches(
      (ids, at) => this.transactions.run(async (tx) => void (await tx.update(AccessTokenEntity, { id: In(ids) }, { lastUsedAt: at }))),
      Math.min(TOUCH_FLUSH_MS, this.touchIntervalMs),
    );
  }

  /**
   * How far the stored last_used_at may trail a use already let through:
   * that use's write waits for the next flush. Pruning idle tokens allows
   * for it, so a token in use is never taken for an idle one.
   */
  get touchLagMs(): number {
    return this.touchIntervalMs + TOUCH_FLUSH_MS;
  }

  onApplicationShutdown(): Promise<void> {
    return this.touches.flush();
  }

  /** Writes the uses recorded so far, for an answer that shows `last_used_at`. */
  flushTouches(): Promise<void> {
    return this.touches.flush();
  }

  /** The condition of a live token (not expired, not idle too long) on `access_tokens`, at `now`. */
  liveSince(now: number): { expiresAfter: number; usedAfter: number } {
    return { expiresAfter: now, usedAfter: now - this.config.tokenIdleTtlMs };
  }

  /**
   * A new token for one login, recorded as a session with where it came
   * from; pass the manager of an open transaction to join it. Past the cap
   * per account, the least recently used tokens are revoked in the same
   * transaction, so the account never holds more.
   */
  async issue(userId: number, manager?: EntityManager, client?: ClientInfo): Promise<string> {
    const token = generateToken();
    const now = Date.now();
    const row = {
      userId,
      tokenHash: hashToken(token),
      // Its own randomness: nothing about the token can be learnt from it.
      publicId: randomBytes(16).toString('hex'),
      userAgent: client?.userAgent ?? '',
      clientAddress: client?.address ?? '',
      createdAt: now,
      expiresAt: now + this.config.tokenTtlMs,
      lastUsedAt: now,
    };
    const work = async (tx: EntityManager) => {
      // Logins of one account take turns from here to their commit: each counts the tokens the others left.
      await lockAccount(tx, userId);
      await tx.insert(AccessTokenEntity, row);
      await this.revokeBeyondCap(tx, userId, now);
    };
    if (manager) await work(manager);
    else await this.transactions.run(work);
    return token;
  }

  /** Expired tokens go first, then the least recently used; relying services hear of each one revoked. */
  private async revokeBeyondCap(tx: EntityManager, userId: number, now: number): Promise<void> {
    const excess = (await tx.query(
      `SELECT id, public_id FROM access_tokens WHERE user_id = ?
        ORDER BY CASE WHEN expires_at > ? THEN 1 ELSE 0 END DESC, last_used_at DESC, id DESC LIMIT ? OFFSET ?`,
      [userId, now, REVOKE_BATCH, this.config.maxTokensPerAccount],
    )) as { id: number | string; public_id: string }[];
    if (excess.length === 0) return;
    await tx.delete(AccessTokenEntity, { id: In(excess.map((token) => Number(token.id))) });
    for (const token of excess) {
      await this.webhooks.enqueue(tx, { type: 'session.revoked', userId, data: { scope: 'one', session_id: token.public_id } });
    }
  }

  /**
   * The principal behind a token, or null when it is unknown, revoked,
   * expired, idle too long, not the given email's, or its account inactive.
   */
  async authenticate(token: string, email?: string): Promise<TokenPrincipal | null> {
    const row = await this.lookup(hashToken(token));
    if (!row || row.status !== UserStatus.Active) return null;
    if (email !== undefined && row.email !== normalizeEmail(email)) return null;
    const now = Date.now();
    const lastUsedAt = Number(row.last_used_at);
    if (Number(row.expires_at) <= now || lastUsedAt + this.config.tokenIdleTtlMs <= now) return null;
    const tokenId = Number(row.token_id);
    if (now - lastUsedAt >= this.touchIntervalMs && !this.touches.has(tokenId)) this.touches.record(tokenId, now);
    return { user: toTokenUser(row), tokenId, accessToken: token };
  }

  /** Logging in: a new token and its sign-in event, together. */
  login(userId: number, client: ClientInfo): Promise<string> {
    return this.transactions.run(async (tx) => {
      const token = await this.issue(userId, tx, client);
      await this.events.record(tx, userId, SecurityEventType.SignIn, client);
      return token;
    });
  }

  /**
   * Logging out this token, or with `all` every token of the account: recorded,
   * and relying services told, in the same transaction.
   */
  logout(principal: TokenPrincipal, scope: 'all' | undefined, client: ClientInfo): Promise<void> {
    const userId = principal.user.id;
    return this.transactions.run(async (tx) => {
      if (scope === 'all') {
        await this.revokeAll(userId, tx);
        await this.webhooks.enqueue(tx, { type: 'session.revoked', userId, data: { scope: 'all' } });
      } else {
        const token = await tx.findOne(AccessTokenEntity, { where: { id: principal.tokenId }, select: { id: true, publicId: true } });
        await tx.delete(AccessTokenEntity, { id: principal.tokenId });
        await this.webhooks.enqueue(tx, { type: 'session.revoked', userId, data: { scope: 'one', session_id: token?.publicId ?? null } });
      }
      await this.events.record(tx, userId, scope === 'all' ? SecurityEventType.LogoutAll : SecurityEventType.Logout, client);
    });
  }

  async revokeAll(userId: number, manager?: EntityManager): Promise<void> {
    if (manager) await manager.delete(AccessTokenEntity, { userId });
    else await this.transactions.run((tx) => tx.delete(AccessTokenEntity, { userId }));
  }
}
