import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { type PreparedRead, preparedRead } from '../database/prepared-read.js';
import { type SqliteWrite, sqliteWrites } from '../database/sqlite-writes.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { PayloadCipher } from '../mail/payload-cipher.js';
import { OidcRecordEntity } from './oidc-record.entity.js';

/** What the provider hands its adapter to keep: a model's payload, as JSON. */
export type StoredPayload = Record<string, unknown>;

/** A record as read back: its payload, and when it was consumed (epoch seconds, as the provider reads it). */
export interface FoundRecord {
  payload: StoredPayload;
  consumedAt: number | null;
}

/**
 * What a person let an app have, remembered across browser sessions: the
 * record behind an entry of their apps (50). The provider's own grants are
 * per browser session and end with it; this one ends when the person
 * revokes the app (or the account or the client goes).
 */
export const CONSENT_MODEL = 'AppConsent';

/** An app the account let in, as its apps (50) and its export list it. */
export interface ConsentRecord {
  clientId: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number;
}

/** The id of an account's consent to a client. */
export const consentId = (accountId: string, clientId: string) => `${accountId}:${clientId}`;

/** A token issued to an app is noted as the app's last use at most this often. */
const USE_NOTE_INTERVAL_MS = 60_000;

/** The columns of a record, in the order the fast upsert binds them. */
const COLUMNS = [
  'key_hash',
  'model',
  'payload',
  'grant_id',
  'uid_hash',
  'user_code_hash',
  'account_id',
  'client_id',
  'expires_at',
  'consumed_at',
  'created_at',
  'last_used_at',
];

/** What an upsert replaces: a consent keeps when it was given and last used, what the person sees of it (50). */
const REPLACED = ['payload', 'grant_id', 'uid_hash', 'user_code_hash', 'account_id', 'client_id', 'expires_at', 'consumed_at'];

/** A token's issue noted on the consent it was issued under (`now`, the consent's key, a minute before now). */
const NOTE_USE_SQL = 'UPDATE oidc_records SET last_used_at = ? WHERE key_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)';

/** How many notes of use an instance remembers (noteDue) before it starts afresh. */
const MAX_USES_NOTED = 10_000;

/** The models whose issue is a use of the app they are issued to. */
const TOKEN_MODELS = new Set(['AccessToken', 'RefreshToken']);

const sha256 = (value: string) => hash('sha256', value, 'hex');

/** The key of a record: neither its model nor its id (a token, a session cookie) can be read from it. */
export function recordKey(model: string, id: string): string {
  return sha256(`${model}:${id}`);
}

/** Whose a record is: the account in its payload, or for an interaction the one it is signing in. */
function accountOf(payload: StoredPayload): string | null {
  const session = payload.session as { accountId?: unknown } | undefined;
  const result = payload.result as { login?: { accountId?: unknown } } | undefined;
  const accountId = payload.accountId ?? session?.accountId ?? result?.login?.accountId;
  return typeof accountId === 'string' ? accountId : null;
}

/** A record as the adapter reads it. */
interface RecordRow {
  payload: string;
  consumed_at: number | string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The only code that writes `oidc_records`: every model the provider keeps,
 * through its adapter (store-adapter.ts), and what the account-wide
 * operations need (an account's sessions, tokens and grants). Reads that a
 * stale replica would get wrong (a session or code just written through
 * another node) are causal on a Galera cluster.
 */
@Injectable()
export class OidcStore {
  private readonly cipher: PayloadCipher;
  /** The adapter's reads, on the path of every request to the provider: prepared once (prepared-read.ts). */
  private readonly reads: {
    byKey: PreparedRead<RecordRow>;
    byUid: PreparedRead<RecordRow>;
    byUserCode: PreparedRead<RecordRow>;
    grantByKey: PreparedRead<{ grant_id: string | null }>;
  };
  /**
   * On SQLite, the adapter's writes as statements prepared once and run in
   * the queue of units of work without a transaction each (sqlite-writes.ts):
   * an upsert, a consume. On MySQL they are transactions that retry a lost
   * conflict, as every other write.
   */
  private readonly fast:
    | {
        run: <T>(work: () => T) => Promise<T>;
        atomic: <T>(work: () => T) => T;
        upsert: SqliteWrite;
        noteUse: SqliteWrite;
        consume: SqliteWrite;
      }
    | undefined;
  /** When this instance last noted each account's use of each app (noteUse). */
  private readonly usesNoted = new Map<string, number>();

  constructor(
    @Inject(appConfig.KEY) config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
  ) {
    this.cipher = new PayloadCipher(config.secret, 'oidc provider record');
    const read = <Row>(columns: string, where: string) =>
      preparedRead<Row>(transactions.dataSource, causal, {
        sqlite: `SELECT ${columns} FROM oidc_records WHERE ${where.replaceAll('?', 'CAST(? AS TEXT)')}`,
        mysql: `SELECT ${columns} FROM oidc_records WHERE ${where}`,
      });
    this.reads = {
      byKey: read('payload, consumed_at', 'key_hash = ?'),
      byUid: read('payload, consumed_at', 'uid_hash = ? AND model = ?'),
      byUserCode: read('payload, consumed_at', 'user_code_hash = ? AND model = ?'),
      grantByKey: read('grant_id', 'key_hash = ?'),
    };
    const writes = sqliteWrites(transactions);
    this.fast = writes && {
      run: writes.run,
      atomic: writes.atomic,
      upsert: writes.prepare(
        `INSERT INTO oidc_records (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT (key_hash) DO UPDATE SET ${REPLACED.map((column) => `${column} = excluded.${column}`).join(', ')}`,
      ),
      noteUse: writes.prepare(NOTE_USE_SQL),
      consume: writes.prepare('UPDATE oidc_records SET consumed_at = ? WHERE key_hash = ? AND consumed_at IS NULL'),
    };
  }

  /** Creates or replaces a record; `expiresInSeconds` undefined for one that does not expire by itself (a grant). */
  async upsert(
    model: string,
    id: string,
    payload: StoredPayload,
    expiresInSeconds: number | undefined,
    manager?: EntityManager,
  ): Promise<void> {
    const now = Date.now();
    const row = {
      keyHash: recordKey(model, id),
      model,
      payload: this.cipher.seal(payload),
      // A grant is filed under its own id, with everything issued under it.
      grantId: model === 'Grant' ? text(payload.jti) : text(payload.grantId),
      uidHash: text(payload.uid) === null ? null : sha256(payload.uid as string),
      userCodeHash: text(payload.userCode) === null ? null : sha256(payload.userCode as string),
      accountId: accountOf(payload),
      clientId: text(payload.clientId),
      expiresAt: expiresInSeconds === undefined ? null : now + expiresInSeconds * 1000,
      consumedAt: null,
      createdAt: now,
      lastUsedAt: model === CONSENT_MODEL ? now : null,
    };
    const noted = TOKEN_MODELS.has(model) && row.accountId && row.clientId ? this.noteDue(row.accountId, row.clientId, now) : null;
    const { fast } = this;
    if (!manager && fast) {
      const values = [row.keyHash, model, row.payload, row.grantId, row.uidHash, row.userCodeHash, row.accountId, row.clientId];
      const insert = () => fast.upsert(...values, row.expiresAt, null, now, row.lastUsedAt);
      if (!noted) {
        await fast.run(insert);
        return;
      }
      return fast.run(() =>
        fast.atomic(() => {
          insert();
          fast.noteUse(now, noted.key, now - USE_NOTE_INTERVAL_MS);
          this.usesNoted.set(noted.consent, now);
        }),
      );
    }
    const work = async (tx: EntityManager) => {
      await tx
        .createQueryBuilder()
        .insert()
        .into(OidcRecordEntity)
        .values(row)
        .orUpdate(REPLACED, ['key_hash'])
        .updateEntity(false)
        .execute();
      if (noted) {
        await tx.query(NOTE_USE_SQL, [now, noted.key, now - USE_NOTE_INTERVAL_MS]);
        this.transactions.afterCommit(tx, () => this.usesNoted.set(noted.consent, now));
      }
    };
    if (manager) await work(manager);
    else await this.transactions.run(work);
  }

  /**
   * Whether a token issued now is to be noted as the app's last use, on the
   * account's consent to it (at most once a minute: NOTE_USE_SQL's own
   * condition says so across instances). Each instance skips the write
   * altogether while its own last note is that recent: a refresh issues two
   * tokens, and an app refreshing often would otherwise write twice more per
   * refresh. The note is remembered once written.
   */
  private noteDue(accountId: string, clientId: string, now: number): { consent: string; key: string } | null {
    const consent = consentId(accountId, clientId);
    if (now - (this.usesNoted.get(consent) ?? -Infinity) < USE_NOTE_INTERVAL_MS) return null;
    // What is older than a minute decides nothing: forgotten before the map grows large.
    if (this.usesNoted.size >= MAX_USES_NOTED) this.usesNoted.clear();
    return { consent, key: recordKey(CONSENT_MODEL, consent) };
  }

  async find(model: string, id: string): Promise<FoundRecord | undefined> {
    const [row] = await this.reads.byKey(recordKey(model, id));
    return row && this.open(row);
  }

  /** A record found by the hash of a column (a session's uid, a device's user code). */
  async findBy(model: string, column: 'uid_hash' | 'user_code_hash', value: string): Promise<FoundRecord | undefined> {
    const [row] = await (column === 'uid_hash' ? this.reads.byUid : this.reads.byUserCode)(sha256(value), model);
    return row && this.open(row);
  }

  private open(row: RecordRow): FoundRecord | undefined {
    const payload = this.opened(row.payload);
    if (!payload) return undefined;
    return { payload, consumedAt: row.consumed_at === null ? null : Math.floor(Number(row.consumed_at) / 1000) };
  }

  /** A payload opened; undefined for one sealed under another SECRET, which is as good as gone. */
  private opened(sealed: string): StoredPayload | undefined {
    try {
      return this.cipher.open<StoredPayload>(sealed);
    } catch {
      return undefined;
    }
  }

  /**
   * Marks a record consumed; false when it was consumed already (or is
   * gone). One conditional write decides, so of concurrent uses of one code
   * or refresh token exactly one gets true, on one server or across the
   * nodes of a cluster (the loser of a certification conflict runs again
   * and finds it consumed).
   */
  consume(model: string, id: string): Promise<boolean> {
    const { fast } = this;
    if (fast) return fast.run(() => fast.consume(Date.now(), recordKey(model, id)) === 1);
    return this.transactions.run(async (tx) => {
      const result = await tx
        .createQueryBuilder()
        .update(OidcRecordEntity)
        .set({ consumedAt: Date.now() })
        .where('key_hash = :key AND consumed_at IS NULL', { key: recordKey(model, id) })
        .execute();
      return result.affected === 1;
    });
  }

  /** The grant a record belongs to, if it has one. */
  async grantOf(model: string, id: string): Promise<string | null> {
    const [row] = await this.reads.grantByKey(recordKey(model, id));
    return row?.grant_id ?? null;
  }

  async destroy(model: string, id: string, manager?: EntityManager): Promise<void> {
    const work = (tx: EntityManager) => tx.delete(OidcRecordEntity, { keyHash: recordKey(model, id) });
    if (manager) await work(manager);
    else await this.transactions.run(work);
  }

  /** Every record of a model under the grant; without a model, everything under it and the grant itself. */
  async revokeGrant(grantId: string, model?: string, manager?: EntityManager): Promise<void> {
    const work = (tx: EntityManager) => tx.delete(OidcRecordEntity, model ? { grantId, model } : { grantId });
    if (manager) await work(manager);
    else await this.transactions.run(work);
  }

  /** The account's records of these models, payloads opened, inside the caller's transaction. */
  async ofAccount(tx: EntityManager, accountId: string, models: string[]): Promise<{ model: string; payload: StoredPayload }[]> {
    const rows = await tx.find(OidcRecordEntity, { select: { model: true, payload: true }, where: { accountId, model: In(models) } });
    return rows.map((row) => ({ model: row.model, payload: this.opened(row.payload) ?? {} }));
  }

  /** Deletes the account's records of these models, inside the caller's transaction. */
  async deleteOfAccount(tx: EntityManager, accountId: string, models: string[]): Promise<void> {
    await tx.delete(OidcRecordEntity, { accountId, model: In(models) });
  }

  /** The apps the account let in, in the order it did; pass a transaction's manager to read inside it. */
  async consentsOf(accountId: string, manager?: EntityManager): Promise<ConsentRecord[]> {
    const select = `SELECT client_id, payload, created_at, last_used_at FROM oidc_records
      WHERE account_id = ? AND model = '${CONSENT_MODEL}' ORDER BY created_at, key_hash`;
    const rows = (await (manager ? manager.query(select, [accountId]) : this.causal.query(select, [accountId]))) as {
      client_id: string | null;
      payload: string;
      created_at: number | string;
      last_used_at: number | string | null;
    }[];
    return rows
      .filter((row) => row.client_id !== null)
      .map((row) => ({
        clientId: row.client_id!,
        scopes: (this.opened(row.payload)?.scopes as string[] | undefined) ?? [],
        createdAt: Number(row.created_at),
        lastUsedAt: Number(row.last_used_at ?? row.created_at),
      }));
  }

  /** Everything of the account with one client (an app revoked), inside the caller's transaction; false when there was nothing. */
  async deleteOfAccountAndClient(tx: EntityManager, accountId: string, clientId: string): Promise<boolean> {
    const result = await tx.delete(OidcRecordEntity, { accountId, clientId });
    return (result.affected ?? 0) > 0;
  }

  /** Everything of a client (a registration deleted), inside the caller's transaction. */
  async deleteOfClient(tx: EntityManager, clientId: string): Promise<void> {
    await tx.delete(OidcRecordEntity, { clientId });
  }

  /** Records past their expiry (a consent has none: it lasts until revoked). */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [ruleTask('oidcRecords', this.transactions, OidcRecordEntity, 'oidc_records.expires_at <= :now', { now: cutoffs.now })];
  }
}
