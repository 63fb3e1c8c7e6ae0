import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { normalizeEmail } from '../common/email.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { UserStatus } from '../users/user.entity.js';
import { AccessTokenEntity } from './access-token.entity.js';
import { generateToken, hashToken } from './token-hash.js';
import { TOKEN_LOOKUP_SQL, type TokenRow, type TokenUser, toTokenUser } from './token-lookup.js';
import { TokenTouches } from './token-touches.js';

/** Who a request is, once its token checked out. */
export interface TokenPrincipal {
  user: TokenUser;
  tokenId: number;
  /** The token the request carried, for answers that echo it. */
  accessToken: string;
}

interface PreparedLookup {
  get(tokenHash: string): TokenRow | undefined;
}

/** `last_used_at` is refreshed at most this often per token (a tenth of the idle timeout), not on every request. */
const MAX_TOUCH_INTERVAL_MS = 60_000;
/** Refreshes are written together, this often. */
const TOUCH_FLUSH_MS = 1_000;

@Injectable()
export class AccessTokensService implements OnApplicationShutdown {
  private readonly touches: TokenTouches;
  private readonly touchIntervalMs: number;
  private lookupStatement: PreparedLookup | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
  ) {
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, config.tokenIdleTtlMs / 10);
    this.touches = new TokenTouches(
      (ids, at) => this.transactions.run(async (tx) => void (await tx.update(AccessTokenEntity, { id: In(ids) }, { lastUsedAt: at }))),
      Math.min(TOUCH_FLUSH_MS, this.touchIntervalMs),
    );
  }

  onApplicationShutdown(): Promise<void> {
    return this.touches.flush();
  }

  /**
   * On SQLite, a statement prepared once on better-sqlite3's connection;
   * elsewhere TypeORM's query (mysql2 prepares and pools). The token check
   * runs on every authenticated request: it skips the ORM's per-query work.
   */
  private async lookup(tokenHash: string): Promise<TokenRow | undefined> {
    if (this.dataSource.options.type !== 'better-sqlite3') {
      // Causal on a cluster: a token revoked through another node is refused here at once.
      return (await this.causal.query<TokenRow>(TOKEN_LOOKUP_SQL, [tokenHash]))[0];
    }
    const connection = (this.dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): PreparedLookup } })
      .databaseConnection;
    this.lookupStatement ??= connection.prepare(TOKEN_LOOKUP_SQL);
    return this.lookupStatement!.get(tokenHash);
  }

  /** A new token for one login; pass the manager of an open transaction to join it. */
  async issue(userId: number, manager?: EntityManager): Promise<string> {
    const token = generateToken();
    const now = Date.now();
    const row = { userId, tokenHash: hashToken(token), createdAt: now, expiresAt: now + this.config.tokenTtlMs, lastUsedAt: now };
    if (manager) await manager.insert(AccessTokenEntity, row);
    else await this.transactions.run((tx) => tx.insert(AccessTokenEntity, row));
    return token;
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

  async revoke(tokenId: number): Promise<void> {
    await this.transactions.run((tx) => tx.delete(AccessTokenEntity, { id: tokenId }));
  }

  async revokeAll(userId: number, manager?: EntityManager): Promise<void> {
    if (manager) await manager.delete(AccessTokenEntity, { userId });
    else await this.transactions.run((tx) => tx.delete(AccessTokenEntity, { userId }));
  }
}
