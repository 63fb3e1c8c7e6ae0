import { Inject, Injectable, type OnApplicationShutdown, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In, MoreThan, Not } from 'typeorm';
import { randomBytes } from 'node:crypto';
import type { ClientInfo } from '../http/client-info.js';
import { normalizeEmail } from '../users/email.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { type ErasedAccount, type ErasesAccountData, type ExportSubject, type ExportsAccountData, isoTime } from '../users/account-data.js';
import { UserStatus } from '../users/user-status.js';
import { UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { AccessTokenEntity } from './access-token.entity.js';
import { AccountSignOuts } from './account-sign-outs.js';
import { BAD_PASSWORD_MESSAGE } from './auth-messages.js';
import type { SessionDto } from './dto/session.dto.js';
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

/** The only code that writes `access_tokens`: tokens, seen by their owners as sessions. */
@Injectable()
export class AccessTokensService implements OnApplicationShutdown, ErasesAccountData, ExportsAccountData<{ sessions: SessionDto[] }> {
  private readonly touches: TokenTouches;
  private readonly touchIntervalMs: number;
  private readonly lookup: TokenLookup;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly webhooks: WebhookOutbox,
    private readonly causal: CausalReads,
    private readonly signOuts: AccountSignOuts,
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
  private liveSince(now: number): { expiresAfter: number; usedAfter: number } {
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
      await this.users.lock(tx, userId);
      // Disabled by an operator since its password was checked: no token, the answer of a wrong password.
      if (!(await this.users.isActive(tx, userId))) throw new UnauthorizedException(BAD_PASSWORD_MESSAGE);
      await this.users.recordSignIn(tx, userId, now);
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

  /**
   * What a relying service may learn about a token (RFC 7662), or null when
   * it is not live: unknown, revoked, expired, idle too long, or its account
   * not active. Looking does not count as using it: `last_used_at` is left
   * as it is, so introspection never keeps an idle token alive. `expiresAt`
   * is the earlier of the absolute expiry and the idle expiry as of the last
   * recorded use (a later use moves the idle one on).
   */
  async introspect(token: string): Promise<{ user: TokenUser; issuedAt: number; expiresAt: number } | null> {
    const row = await this.lookup(hashToken(token));
    if (!row || row.status !== UserStatus.Active) return null;
    const now = Date.now();
    const expiresAt = Math.min(Number(row.expires_at), Number(row.last_used_at) + this.config.tokenIdleTtlMs);
    if (expiresAt <= now) return null;
    const issuedAt = await this.issuedAt(Number(row.token_id));
    return issuedAt === null ? null : { user: toTokenUser(row), issuedAt, expiresAt };
  }

  /**
   * When the token was issued, which is when the sign-in that made it
   * happened: every token comes from one (a password login, its second
   * step, a passkey, an activation or reset with a mailed code) and is
   * never renewed. Null when it is gone. Causal: on a cluster, a token
   * issued through another node a moment ago is found here as well.
   */
  async issuedAt(tokenId: number): Promise<number | null> {
    const [issued] = await this.causal.query<{ created_at: number | string }>('SELECT created_at FROM access_tokens WHERE id = ?', [
      tokenId,
    ]);
    return issued ? Number(issued.created_at) : null;
  }

  /** Revokes one token, inside the caller's transaction; answers its session's public id (null when it was gone already). */
  async revoke(tx: EntityManager, tokenId: number): Promise<string | null> {
    const token = await tx.findOne(AccessTokenEntity, { where: { id: tokenId }, select: { id: true, publicId: true } });
    await tx.delete(AccessTokenEntity, { id: tokenId });
    return token?.publicId ?? null;
  }

  /** Revokes one of the account's live sessions by its public id, inside the caller's transaction; false when there is none. */
  async revokeSession(tx: EntityManager, userId: number, publicId: string): Promise<boolean> {
    const { expiresAfter, usedAfter } = this.liveSince(Date.now());
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(AccessTokenEntity)
      .where('public_id = :publicId AND user_id = :userId', { publicId, userId })
      .andWhere('expires_at > :expiresAfter AND last_used_at > :usedAfter', { expiresAfter, usedAfter })
      .execute();
    return result.affected === 1;
  }

  /** Every token of the account, and its sign-ins elsewhere (AccountSignOuts). */
  async revokeAll(userId: number, manager?: EntityManager): Promise<void> {
    const work = async (tx: EntityManager) => {
      await tx.delete(AccessTokenEntity, { userId });
      await this.signOuts.signOut(tx, userId);
    };
    if (manager) await work(manager);
    else await this.transactions.run(work);
  }

  /** Every token of the account but the one given, and its sign-ins elsewhere, inside the caller's transaction. */
  async revokeAllBut(tx: EntityManager, userId: number, keptTokenId: number): Promise<void> {
    await tx.delete(AccessTokenEntity, { userId, id: Not(keptTokenId) });
    await this.signOuts.signOut(tx, userId);
  }

  /**
   * Live sessions, newest first; `current` marks the one the caller holds.
   * Pending `last_used_at` refreshes are written first, unless the caller
   * reads inside its own transaction (then it flushes them before opening it).
   */
  async listSessions(userId: number, currentTokenId: number | null, manager?: EntityManager): Promise<SessionDto[]> {
    if (!manager) await this.flushTouches();
    const { expiresAfter, usedAfter } = this.liveSince(Date.now());
    const rows = await (manager ?? this.dataSource.manager).find(AccessTokenEntity, {
      where: { userId, expiresAt: MoreThan(expiresAfter), lastUsedAt: MoreThan(usedAfter) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map((row) => ({
      id: row.publicId,
      created_at: isoTime(row.createdAt),
      last_used_at: isoTime(row.lastUsedAt),
      expires_at: isoTime(row.expiresAt),
      user_agent: row.userAgent,
      client_address: row.clientAddress,
      current: row.id === currentTokenId,
    }));
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(AccessTokenEntity, { userId });
  }

  async exportAccount(tx: EntityManager, { userId, tokenId }: ExportSubject): Promise<{ sessions: SessionDto[] }> {
    return { sessions: await this.listSessions(userId, tokenId, tx) };
  }

  /** Revocation deletes a token at once; what is left to prune is tokens that expired or went idle unused. */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask(
        'tokens',
        this.transactions,
        AccessTokenEntity,
        '(access_tokens.expires_at <= :now OR access_tokens.last_used_at <= :idleBefore)',
        { now: cutoffs.now, idleBefore: cutoffs.idleTokensUsedBefore },
      ),
    ];
  }
}
