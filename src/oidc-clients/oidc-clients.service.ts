import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CausalReads } from '../database/causal-reads.js';
import { type PreparedRead, preparedRead } from '../database/prepared-read.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { InvalidFieldsError } from '../http/api-error.js';
import { type ClientRegistration, providerMetadata, registrationProblems } from './client-registration.js';
import { ClientSecrets } from './client-secrets.js';
import { OidcClientEntity } from './oidc-client.entity.js';

/** A registered client as operators see it: never its secret. */
export interface RegisteredClient extends ClientRegistration {
  client_id: string;
  created_at: string;
  updated_at: string;
}

/** What a change made: the client, and a secret when one was made (shown this once). */
export interface ClientChange {
  client: RegisteredClient;
  client_secret: string | null;
}

/** Work done in the transaction of a change, after it (the audit entry of an admin call). */
export type AlongWithChange = (tx: EntityManager, clientId: string) => Promise<void>;

/** Raised when there is no client of that id. */
export class ClientNotFoundError extends Error {
  override name = 'ClientNotFoundError';
}

/** Raised for a change a client cannot take (a secret for a public client). */
export class ClientChangeError extends Error {
  override name = 'ClientChangeError';
}

interface ClientRow {
  client_id: string;
  metadata: string;
  secret_sealed: string | null;
  created_at: number | string;
  updated_at: number | string;
}

/** Client ids as create makes them: 128 random bits, hex. */
const CLIENT_ID = /^[0-9a-f]{32}$/;

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

/**
 * The only code that writes `oidc_clients`: the apps operators register
 * (the clients CLI and the admin API), and the provider's read of them.
 * Every read goes to the database (causal on a cluster), so a change or a
 * deletion holds on every instance from its next request on.
 */
@Injectable()
export class OidcClientsService {
  private readonly removalHooks: AlongWithChange[] = [];
  /** The provider's read of a client, on the path of most of its requests: prepared once (prepared-read.ts). */
  private readonly readForProvider: PreparedRead<Pick<ClientRow, 'metadata' | 'secret_sealed'>>;
  /**
   * What each client's row last opened to, by the row's text: the provider
   * reads the row on every request, and a row unchanged since is not
   * parsed and its secret not opened again. A change or a deletion is seen
   * at the next read as before.
   */
  private readonly opened = new Map<string, { metadata: string; sealed: string | null; forProvider: Record<string, unknown> }>();

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
    private readonly secrets: ClientSecrets,
  ) {
    this.readForProvider = preparedRead(transactions.dataSource, causal, {
      sqlite: 'SELECT metadata, secret_sealed FROM oidc_clients WHERE client_id = CAST(? AS TEXT)',
      mysql: 'SELECT metadata, secret_sealed FROM oidc_clients WHERE client_id = ?',
    });
  }

  /**
   * What a client's deletion also deletes, in its transaction: the module
   * that keeps what was issued to clients registers it here (it imports this
   * module; this module never imports it).
   */
  onDelete(hook: AlongWithChange): void {
    this.removalHooks.push(hook);
  }

  async create(registration: ClientRegistration, along?: AlongWithChange): Promise<ClientChange> {
    throwIfInvalid(registration);
    const clientId = randomBytes(16).toString('hex');
    const secret = registration.token_endpoint_auth_method === 'none' ? null : this.secrets.generate();
    const now = Date.now();
    await this.transactions.run(async (tx) => {
      await tx.insert(OidcClientEntity, {
        clientId,
        clientName: registration.client_name,
        metadata: JSON.stringify(registration),
        secretSealed: secret === null ? null : this.secrets.seal(clientId, secret),
        createdAt: now,
        updatedAt: now,
      });
      await along?.(tx, clientId);
    });
    return {
      client: view({ client_id: clientId, metadata: JSON.stringify(registration), created_at: now, updated_at: now }),
      client_secret: secret,
    };
  }

  async list(): Promise<RegisteredClient[]> {
    const rows = await this.causal.query<ClientRow>(
      'SELECT client_id, metadata, created_at, updated_at FROM oidc_clients ORDER BY created_at, client_id',
      [],
    );
    return rows.map(view);
  }

  async get(clientId: string): Promise<RegisteredClient | null> {
    const row = await this.row(clientId);
    return row ? view(row) : null;
  }

  /**
   * Changes what is given, keeps the rest. A client made public loses its
   * secret; a public client made confidential gets one, shown once.
   */
  async update(clientId: string, changes: Partial<ClientRegistration>, along?: AlongWithChange): Promise<ClientChange> {
    const row = await this.row(clientId);
    if (!row) throw new ClientNotFoundError(`no client ${clientId}`);
    const before = JSON.parse(row.metadata) as ClientRegistration;
    const registration: ClientRegistration = { ...before, ...definedOf(changes) };
    throwIfInvalid(registration);
    const wasPublic = before.token_endpoint_auth_method === 'none';
    const isPublic = registration.token_endpoint_auth_method === 'none';
    const secret = wasPublic && !isPublic ? this.secrets.generate() : null;
    const now = Date.now();
    await this.transactions.run(async (tx) => {
      const sealed = isPublic ? null : secret === null ? row.secret_sealed : this.secrets.seal(clientId, secret);
      const result = await tx.update(
        OidcClientEntity,
        { clientId },
        { clientName: registration.client_name, metadata: JSON.stringify(registration), secretSealed: sealed, updatedAt: now },
      );
      if (result.affected !== 1) throw new ClientNotFoundError(`no client ${clientId}`);
      await along?.(tx, clientId);
    });
    return { client: view({ ...row, metadata: JSON.stringify(registration), updated_at: now }), client_secret: secret };
  }

  /** A new secret for a confidential client; the old one stops working at once. */
  async rotateSecret(clientId: string, along?: AlongWithChange): Promise<ClientChange> {
    const row = await this.row(clientId);
    if (!row) throw new ClientNotFoundError(`no client ${clientId}`);
    const registration = JSON.parse(row.metadata) as ClientRegistration;
    if (registration.token_endpoint_auth_method === 'none') throw new ClientChangeError('a public client has no secret');
    const secret = this.secrets.generate();
    const now = Date.now();
    await this.transactions.run(async (tx) => {
      const result = await tx.update(OidcClientEntity, { clientId }, { secretSealed: this.secrets.seal(clientId, secret), updatedAt: now });
      if (result.affected !== 1) throw new ClientNotFoundError(`no client ${clientId}`);
      await along?.(tx, clientId);
    });
    return { client: view({ ...row, updated_at: now }), client_secret: secret };
  }

  /** Deletes the client and, through the hooks, everything issued to it; false when there was none. */
  delete(clientId: string, along?: AlongWithChange): Promise<boolean> {
    return this.transactions.run(async (tx) => {
      const result = await tx.delete(OidcClientEntity, { clientId });
      if (result.affected !== 1) return false;
      for (const hook of this.removalHooks) await hook(tx, clientId);
      await along?.(tx, clientId);
      return true;
    });
  }

  /** The client as the provider reads it, secret opened; undefined when there is none. */
  async providerMetadataOf(clientId: string): Promise<Record<string, unknown> | undefined> {
    if (!CLIENT_ID.test(clientId)) return undefined;
    const [row] = await this.readForProvider(clientId);
    if (!row) {
      this.opened.delete(clientId);
      return undefined;
    }
    const known = this.opened.get(clientId);
    if (known?.metadata === row.metadata && known.sealed === row.secret_sealed) return known.forProvider;
    const secret = row.secret_sealed === null ? null : this.secrets.open(clientId, row.secret_sealed);
    const forProvider = providerMetadata(clientId, JSON.parse(row.metadata) as ClientRegistration, secret);
    this.opened.set(clientId, { metadata: row.metadata, sealed: row.secret_sealed, forProvider });
    return forProvider;
  }

  /** Names and settings of clients by id, for what shows them to people (the apps of an account). */
  async registrationsOf(clientIds: string[]): Promise<Map<string, ClientRegistration>> {
    if (clientIds.length === 0) return new Map();
    const rows = await this.causal.query<ClientRow>(
      `SELECT client_id, metadata FROM oidc_clients WHERE client_id IN (${clientIds.map(() => '?').join(', ')})`,
      clientIds,
    );
    return new Map(rows.map((row) => [row.client_id, JSON.parse(row.metadata) as ClientRegistration]));
  }

  private async row(clientId: string): Promise<ClientRow | undefined> {
    if (!CLIENT_ID.test(clientId)) return undefined;
    const [row] = await this.causal.query<ClientRow>(
      'SELECT client_id, metadata, secret_sealed, created_at, updated_at FROM oidc_clients WHERE client_id = ?',
      [clientId],
    );
    return row;
  }
}

function throwIfInvalid(registration: ClientRegistration): void {
  const problems = registrationProblems(registration);
  if (problems.length > 0) throw new InvalidFieldsError(problems);
}

function definedOf(changes: Partial<ClientRegistration>): Partial<ClientRegistration> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<ClientRegistration>;
}

function view(row: Pick<ClientRow, 'client_id' | 'metadata' | 'created_at' | 'updated_at'>): RegisteredClient {
  const registration = JSON.parse(row.metadata) as ClientRegistration;
  return { client_id: row.client_id, ...registration, created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
}
