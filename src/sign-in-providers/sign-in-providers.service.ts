import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CausalReads } from '../database/causal-reads.js';
import { isKeyTaken } from '../database/driver-errors.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { checkProviderInput, PROVIDER_ID, type ProviderInput, type ProviderKind } from './provider-input.js';
import { ProviderSecrets } from './provider-secrets.js';
import { SignInProviderEntity } from './sign-in-provider.entity.js';

/** A provider as operators see it: everything but the client secret. */
export interface ProviderListing {
  /** The numeric row id: what identities refer to; never shown. */
  rowId: number;
  id: string;
  kind: ProviderKind;
  name: string;
  issuer: string;
  clientId: string;
  trustEmail: boolean;
  createdAt: number;
}

/** A provider with its client secret opened, for the sign-in flow only. */
export interface Provider extends ProviderListing {
  clientSecret: string;
}

/** Raised for a change the operator asked for that cannot be made (a taken id, no such provider). */
export class ProviderError extends Error {
  override name = 'ProviderError';
}

interface ProviderRow {
  id: number | string;
  slug: string;
  kind: ProviderKind;
  name: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  trust_email: number | boolean | string;
  created_at: number | string;
}

const SELECT_PROVIDERS = 'SELECT id, slug, kind, name, issuer, client_id, client_secret, trust_email, created_at FROM sign_in_providers';

/**
 * The only code that writes `sign_in_providers`. Every read goes to the
 * database (causal on a cluster), with no cache: a provider added or
 * removed through any instance or the CLI is seen by every instance from
 * its next request on.
 */
@Injectable()
export class SignInProvidersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
    private readonly secrets: ProviderSecrets,
  ) {}

  /** Every provider, in the order they were added. */
  async list(): Promise<ProviderListing[]> {
    const rows = await this.causal.query<ProviderRow>(`${SELECT_PROVIDERS} ORDER BY id`, []);
    return rows.map(listingOf);
  }

  /** The provider of that id with its secret opened, or null. */
  async find(id: string): Promise<Provider | null> {
    if (!PROVIDER_ID.test(id)) return null;
    const [row] = await this.causal.query<ProviderRow>(`${SELECT_PROVIDERS} WHERE slug = ?`, [id]);
    return row ? { ...listingOf(row), clientSecret: this.secrets.open(row.slug, row.client_secret) } : null;
  }

  /** The provider of a row id (what an identity or a flow refers to), without its secret; null once removed. */
  async findByRowId(rowId: number): Promise<ProviderListing | null> {
    const [row] = await this.causal.query<ProviderRow>(`${SELECT_PROVIDERS} WHERE id = ?`, [rowId]);
    return row ? listingOf(row) : null;
  }

  /**
   * Adds a provider. `alongside` runs in the same transaction (an
   * operator's audit entry). A taken id is a ProviderError.
   */
  async add(input: ProviderInput, alongside?: (tx: EntityManager, provider: ProviderListing) => Promise<void>): Promise<ProviderListing> {
    const provider = checkProviderInput(input);
    const createdAt = Date.now();
    try {
      return await this.transactions.run(async (tx) => {
        const { identifiers } = await tx.insert(SignInProviderEntity, {
          slug: provider.slug,
          kind: provider.kind,
          name: provider.name,
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecret: this.secrets.seal(provider.slug, provider.clientSecret),
          trustEmail: provider.trustEmail,
          createdAt,
        });
        const { clientSecret: _secret, slug, ...rest } = provider;
        const listing: ProviderListing = { ...rest, rowId: Number(identifiers[0]?.id), id: slug, createdAt };
        await alongside?.(tx, listing);
        return listing;
      });
    } catch (error) {
      if (isKeyTaken(error) && (await this.find(provider.slug)))
        throw new ProviderError(`a provider with the id "${provider.slug}" exists already`);
      throw error;
    }
  }

  /**
   * Removes a provider, and with it (by the foreign key) every identity
   * linked through it and every sign-in under way with it. `before` runs
   * first in the same transaction, given the row id: what must be told
   * about those identities, and an operator's audit entry. A ProviderError
   * when there is no such provider.
   */
  async remove(id: string, before?: (tx: EntityManager, provider: ProviderListing) => Promise<void>): Promise<void> {
    const removed = await this.transactions.run(async (tx) => {
      const row = PROVIDER_ID.test(id) ? await tx.findOneBy(SignInProviderEntity, { slug: id }) : null;
      if (!row) return false;
      await before?.(tx, listingOf(rowOf(row)));
      const result = await tx.delete(SignInProviderEntity, { id: row.id });
      return result.affected === 1;
    });
    if (!removed) throw new ProviderError(`no provider with the id "${id}"`);
  }
}

function rowOf(entity: SignInProviderEntity): ProviderRow {
  return {
    id: entity.id,
    slug: entity.slug,
    kind: entity.kind,
    name: entity.name,
    issuer: entity.issuer,
    client_id: entity.clientId,
    client_secret: entity.clientSecret,
    trust_email: entity.trustEmail,
    created_at: entity.createdAt,
  };
}

function listingOf(row: ProviderRow): ProviderListing {
  return {
    rowId: Number(row.id),
    id: row.slug,
    kind: row.kind,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    trustEmail: row.trust_email === true || Number(row.trust_email) === 1,
    createdAt: Number(row.created_at),
  };
}
