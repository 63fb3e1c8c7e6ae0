import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { JWK } from 'jose';
import { In, type Repository } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import type { PruneTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { PayloadCipher } from '../mail/payload-cipher.js';
import { type KeySet, keySetAt, PUBLISH_LEAD_MS, RETIRED_KEY_TTL_MS, SIGNING_ALGS, type SigningAlg, type StoredKey } from './key-set.js';
import { SigningKeyEntity } from './signing-key.entity.js';

const generate = promisify(generateKeyPair);

/** A key as `signing-keys list` shows it. */
export interface KeyListing {
  kid: string;
  alg: SigningAlg;
  generation: number;
  state: 'signing' | 'next' | 'published' | 'expired';
  activatesAt: number;
}

async function newPrivateJwk(alg: SigningAlg): Promise<JWK> {
  const { privateKey } = alg === 'RS256' ? await generate('rsa', { modulusLength: 2048 }) : await generate('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'jwk' }) as JWK;
}

/**
 * The only code that writes `oidc_signing_keys`: made at first start (by
 * whichever instance gets there first: one row per algorithm and generation),
 * rotated by the operator, read by every instance every KEY_REFRESH_MS.
 */
@Injectable()
export class SigningKeys {
  private readonly logger = new Logger('SigningKeys');
  private readonly cipher: PayloadCipher;

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly keys: Repository<SigningKeyEntity>,
    @Inject(appConfig.KEY) config: AppConfigType,
    private readonly transactions: TransactionRunner,
  ) {
    this.cipher = new PayloadCipher(config.secret, 'oidc signing key');
  }

  /**
   * The keys as they stand now. An algorithm with no key that may sign (the
   * first start, or keys sealed under another SECRET) gets a new generation,
   * signing at once.
   */
  async current(now = Date.now()): Promise<KeySet> {
    const { keys, newest } = await this.load();
    let set = keySetAt(keys, now);
    if (set) return set;
    const made = new Map<SigningAlg, number>();
    for (const alg of SIGNING_ALGS) {
      if (keys.some((key) => key.alg === alg && key.activatesAt <= now)) continue;
      made.set(alg, (newest.get(alg) ?? 0) + 1);
      await this.add(alg, made.get(alg)!, now);
    }
    // Another instance may have made a generation first, with its own start
    // time (a little later than ours, or on a clock a little ahead): the
    // generation signs at once all the same, so it is read as of its time.
    const after = (await this.load()).keys;
    const madeAt = after.filter((key) => made.get(key.alg) === key.generation).map((key) => key.activatesAt);
    set = keySetAt(after, Math.max(now, ...madeAt));
    if (!set) throw new Error('no signing key could be made');
    return set;
  }

  /**
   * A new generation of each algorithm, published at once and signing
   * PUBLISH_LEAD_MS later (every instance publishes it before any signs with it).
   */
  async rotate(now = Date.now()): Promise<KeyListing[]> {
    await this.current(now);
    const { newest } = await this.load();
    for (const alg of SIGNING_ALGS) await this.add(alg, (newest.get(alg) ?? 0) + 1, now + PUBLISH_LEAD_MS);
    return this.list(now);
  }

  async list(now = Date.now()): Promise<KeyListing[]> {
    const { keys: stored } = await this.load();
    const set = keySetAt(stored, now);
    const published = new Set(set?.keys.map((key) => key.kid));
    return stored.map((key) => ({
      kid: key.kid,
      alg: key.alg,
      generation: key.generation,
      activatesAt: key.activatesAt,
      state:
        set?.signing[key.alg] === key.kid ? 'signing' : !published.has(key.kid) ? 'expired' : key.activatesAt > now ? 'next' : 'published',
    }));
  }

  /**
   * Keys whose publication ended (nothing they signed is still valid), and
   * keys sealed under another SECRET once they are as old as a retired key
   * may get (no instance of this SECRET ever signed with them).
   */
  pruneTasks(): PruneTask[] {
    return [
      {
        kind: 'oidcSigningKeys',
        run: async () => {
          const now = Date.now();
          const { keys, unreadable } = await this.load();
          const expired = [
            ...(keySetAt(keys, now)?.expired ?? []),
            ...unreadable.filter((key) => key.createdAt < now - RETIRED_KEY_TTL_MS).map((key) => key.kid),
          ];
          if (expired.length === 0) return 0;
          const result = await this.transactions.run((tx) => tx.delete(SigningKeyEntity, { kid: In(expired) }));
          return result.affected ?? 0;
        },
      },
    ];
  }

  /**
   * The keys this instance can open, and the newest generation of each
   * algorithm among all. A key sealed under another SECRET is left out (and
   * said so): after a change of SECRET the provider goes on with new keys.
   */
  private async load(): Promise<{ keys: StoredKey[]; newest: Map<string, number>; unreadable: { kid: string; createdAt: number }[] }> {
    const rows = await this.keys.find({ order: { generation: 'ASC' } });
    const newest = new Map<string, number>();
    const keys: StoredKey[] = [];
    const unreadable: { kid: string; createdAt: number }[] = [];
    for (const row of rows) {
      newest.set(row.alg, Math.max(newest.get(row.alg) ?? 0, row.generation));
      try {
        const privateJwk = this.cipher.open<JWK>(row.privateKeySealed);
        keys.push({ kid: row.kid, alg: row.alg as SigningAlg, generation: row.generation, activatesAt: row.activatesAt, privateJwk });
      } catch {
        this.warnUnreadable(row.kid);
        unreadable.push({ kid: row.kid, createdAt: row.createdAt });
      }
    }
    return { keys, newest, unreadable };
  }

  private readonly warned = new Set<string>();

  private warnUnreadable(kid: string): void {
    if (this.warned.has(kid)) return;
    this.warned.add(kid);
    this.logger.warn(`signing key ${kid} was sealed under another SECRET: it is not used`);
  }

  /** One key of a generation; an instance that lost the race to make it reads the winner's. */
  private async add(alg: SigningAlg, generation: number, activatesAt: number): Promise<void> {
    const privateJwk = await newPrivateJwk(alg);
    const kid = randomBytes(12).toString('base64url');
    await this.transactions.run((tx) =>
      tx
        .createQueryBuilder()
        .insert()
        .into(SigningKeyEntity)
        .values({ kid, alg, generation, privateKeySealed: this.cipher.seal(privateJwk), createdAt: Date.now(), activatesAt })
        .orIgnore()
        .updateEntity(false)
        .execute(),
    );
  }
}
