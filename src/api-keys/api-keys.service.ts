import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { IsNull, type Repository } from 'typeorm';
import { hashToken } from '../auth/token-hash.js';
import { CausalReads } from '../database/causal-reads.js';
import { isKeyTaken } from '../database/driver-errors.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { API_KEY_NAME, type ApiKeyScope, isApiKeyScope } from './api-key-scopes.js';

/** Whoever an admin call authenticated as: the key's name and scopes, never the key. */
export interface ApiKeyPrincipal {
  name: string;
  scopes: ApiKeyScope[];
}

/** A key as `keys list` shows it. */
export interface ApiKeyListing extends ApiKeyPrincipal {
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Raised for a command the keys CLI cannot carry out (a taken name, an unknown key). */
export class ApiKeyError extends Error {
  override name = 'ApiKeyError';
}

/** Recognisable in a leaked file or a secret scanner's pattern; 256 random bits follow. */
export const API_KEY_PREFIX = 'oak_';
const TOUCH_INTERVAL_MS = 60_000;

interface KeyRow {
  id: number | string;
  name: string;
  scopes: string;
  last_used_at: number | string | null;
}

/**
 * The only code that writes `api_keys`. Every check reads the database (one
 * lookup by the unique hash, causal on a cluster): a key revoked through the
 * CLI is refused by every instance from the next request on, with no cache
 * to expire.
 */
@Injectable()
export class ApiKeysService {
  /** When each key's last use was written by this instance: at most once a minute. */
  private readonly touched = new Map<number, number>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
  ) {}

  /** A new key; the answer is the only time the key itself exists outside its holder. */
  async create(name: string, scopes: ApiKeyScope[]): Promise<{ name: string; key: string; scopes: ApiKeyScope[] }> {
    if (!API_KEY_NAME.test(name)) {
      throw new ApiKeyError('the name must be 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit');
    }
    if (scopes.length === 0 || !scopes.every(isApiKeyScope)) throw new ApiKeyError('at least one known scope is required');
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    try {
      await this.transactions.run((tx) =>
        tx.insert(ApiKeyEntity, {
          name,
          keyHash: hashToken(key),
          scopes: scopes.join(','),
          createdAt: Date.now(),
          revokedAt: null,
          lastUsedAt: null,
        }),
      );
    } catch (error) {
      if (isKeyTaken(error)) throw new ApiKeyError(`a key named "${name}" exists already (revoked keys keep their names)`);
      throw error;
    }
    return { name, key, scopes };
  }

  async list(): Promise<ApiKeyListing[]> {
    const rows = await this.keys.find({ order: { id: 'ASC' } });
    return rows.map((row) => ({
      name: row.name,
      scopes: scopesOf(row.scopes),
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
      revokedAt: row.revokedAt,
    }));
  }

  /** Revokes the key of that name from the next request on, everywhere; throws when there is no live one. */
  async revoke(name: string): Promise<void> {
    const result = await this.transactions.run((tx) => tx.update(ApiKeyEntity, { name, revokedAt: IsNull() }, { revokedAt: Date.now() }));
    if (result.affected !== 1) throw new ApiKeyError(`no live key named "${name}"`);
  }

  /** The key's name and scopes, or null when it is unknown or revoked (or not the key of `name`, when given). */
  async authenticate(key: string, name?: string): Promise<ApiKeyPrincipal | null> {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 128) return null;
    const [row] = await this.causal.query<KeyRow>(
      'SELECT id, name, scopes, last_used_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
      [hashToken(key)],
    );
    if (!row || (name !== undefined && row.name !== name)) return null;
    this.touch(Number(row.id), row.last_used_at === null ? null : Number(row.last_used_at));
    return { name: row.name, scopes: scopesOf(row.scopes) };
  }

  /** Records a use now and then, after the answer: a failure to write it never fails the call. */
  private touch(id: number, stored: number | null): void {
    const now = Date.now();
    const last = Math.max(stored ?? 0, this.touched.get(id) ?? 0);
    if (now - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(id, now);
    void this.transactions.run((tx) => tx.update(ApiKeyEntity, { id }, { lastUsedAt: now })).catch(() => undefined);
  }

  /** A revoked key goes once no audit entry kept can name it any more. */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [
      ruleTask('revokedApiKeys', this.transactions, ApiKeyEntity, 'api_keys.revoked_at < :before', { before: cutoffs.adminAuditBefore }),
    ];
  }
}

function scopesOf(stored: string): ApiKeyScope[] {
  return stored.split(',').filter(isApiKeyScope);
}
