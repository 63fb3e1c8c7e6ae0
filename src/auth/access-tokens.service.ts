import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { normalizeEmail } from '../common/email.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { type UserEntity, UserStatus } from '../users/user.entity.js';
import { AccessTokenEntity } from './access-token.entity.js';
import { generateToken, hashToken } from './token-hash.js';

/** Who a request is, once its token checked out. */
export interface TokenPrincipal {
  user: UserEntity;
  tokenId: number;
  /** The token the request carried, for answers that echo it. */
  accessToken: string;
}

/** `last_used_at` is written at most this often per token (a tenth of the idle timeout), not on every request. */
const MAX_TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class AccessTokensService {
  constructor(
    @InjectRepository(AccessTokenEntity) private readonly tokens: Repository<AccessTokenEntity>,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
  ) {}

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
    const row = await this.tokens.findOne({ where: { tokenHash: hashToken(token) }, relations: { user: true } });
    const user = row?.user;
    if (!row || !user || user.status !== UserStatus.Active) return null;
    if (email !== undefined && user.email !== normalizeEmail(email)) return null;
    const now = Date.now();
    if (row.expiresAt <= now || row.lastUsedAt + this.config.tokenIdleTtlMs <= now) return null;
    if (now - row.lastUsedAt >= Math.min(MAX_TOUCH_INTERVAL_MS, this.config.tokenIdleTtlMs / 10)) {
      await this.transactions.run((tx) => tx.update(AccessTokenEntity, { id: row.id }, { lastUsedAt: now }));
    }
    return { user, tokenId: row.id, accessToken: token };
  }

  async revoke(tokenId: number): Promise<void> {
    await this.transactions.run((tx) => tx.delete(AccessTokenEntity, { id: tokenId }));
  }

  async revokeAll(userId: number, manager?: EntityManager): Promise<void> {
    if (manager) await manager.delete(AccessTokenEntity, { userId });
    else await this.transactions.run((tx) => tx.delete(AccessTokenEntity, { userId }));
  }
}
