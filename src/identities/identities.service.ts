import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { CausalReads } from '../database/causal-reads.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { SignInProvidersService } from '../sign-in-providers/sign-in-providers.service.js';
import { type ErasedAccount, type ErasesAccountData, type ExportsAccountData, isoTime } from '../users/account-data.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import type { IdentityDto } from './dto/identity.dto.js';
import { IdentityEntity } from './identity.entity.js';

/** Whose account a provider's subject signs in, as found by the sign-in. */
export interface LinkedIdentity {
  rowId: number;
  publicId: string;
  userId: number;
}

/** What is linked: a subject of a provider (by its row id and its id), and the address it gave. */
export interface IdentityLink {
  userId: number;
  provider: { rowId: number; id: string };
  subject: string;
  email: string;
}

const PUBLIC_ID = /^[0-9a-f]{32}$/;

/**
 * The only code that writes `identities`: accounts of other providers
 * linked to ours. Linking and unlinking are each recorded in the account's
 * log (22) and told to relying services (`identity.linked`,
 * `identity.unlinked`) in the transaction of the change; the notice mail is
 * the caller's, which knows why it happened.
 */
@Injectable()
export class IdentitiesService implements ErasesAccountData, ExportsAccountData<{ identities: IdentityDto[] }> {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
    private readonly providers: SignInProvidersService,
    private readonly events: SecurityEvents,
    private readonly webhooks: WebhookOutbox,
  ) {}

  /**
   * The account a subject of a provider is linked to, or null. Causal on a
   * cluster: an identity unlinked through another node a moment ago no
   * longer signs in here.
   */
  async findBySubject(providerRowId: number, subject: string): Promise<LinkedIdentity | null> {
    const [row] = await this.causal.query<{ id: number | string; public_id: string; user_id: number | string }>(
      'SELECT id, public_id, user_id FROM identities WHERE provider_id = ? AND subject = ?',
      [providerRowId, subject],
    );
    return row ? { rowId: Number(row.id), publicId: row.public_id, userId: Number(row.user_id) } : null;
  }

  /**
   * Links a subject to an account, inside the caller's transaction, with its
   * event and webhook. A subject linked meanwhile (to this account or
   * another) fails the insert on the unique index: the caller reads again.
   */
  async link(
    tx: EntityManager,
    link: IdentityLink,
    client: ClientInfo,
    at: number,
    { signingIn }: { signingIn: boolean },
  ): Promise<string> {
    const publicId = randomBytes(16).toString('hex');
    await tx.insert(IdentityEntity, {
      publicId,
      userId: link.userId,
      providerId: link.provider.rowId,
      subject: link.subject,
      email: link.email,
      linkedAt: at,
      // Linked by a sign-in with it, it has been used; linked from a signed-in session, not yet.
      lastUsedAt: signingIn ? at : null,
    });
    await this.events.record(tx, link.userId, SecurityEventType.IdentityLinked, client, at);
    await this.webhooks.enqueue(tx, {
      type: 'identity.linked',
      userId: link.userId,
      data: { identity_id: publicId, provider: link.provider.id, email: link.email },
    });
    return publicId;
  }

  /** A sign-in with it, inside the sign-in's transaction: when, and the address the provider gives now. */
  async recordUse(tx: EntityManager, rowId: number, email: string, at: number): Promise<void> {
    await tx.update(IdentityEntity, { id: rowId }, { lastUsedAt: at, email });
  }

  /** The account's identities, newest first. */
  async list(userId: number, manager?: EntityManager): Promise<IdentityDto[]> {
    const rows = await (manager ?? this.transactions.dataSource.manager).find(IdentityEntity, {
      where: { userId },
      order: { linkedAt: 'DESC', id: 'DESC' },
    });
    if (rows.length === 0) return [];
    const names = new Map((await this.providers.list()).map((provider) => [provider.rowId, provider.id]));
    return rows.map((row) => ({
      id: row.publicId,
      provider: names.get(row.providerId) ?? '',
      email: row.email,
      linked_at: isoTime(row.linkedAt),
      last_used_at: row.lastUsedAt === null ? null : isoTime(row.lastUsedAt),
    }));
  }

  /** How many identities the account has, inside the caller's transaction. */
  count(tx: EntityManager, userId: number): Promise<number> {
    return tx.countBy(IdentityEntity, { userId });
  }

  /** The account's identity of that handle, inside the caller's transaction; null when it is not one of its own. */
  async findOwn(tx: EntityManager, userId: number, publicId: string): Promise<{ rowId: number; providerRowId: number } | null> {
    if (!PUBLIC_ID.test(publicId)) return null;
    const row = await tx.findOne(IdentityEntity, { select: { id: true, providerId: true }, where: { userId, publicId } });
    return row ? { rowId: row.id, providerRowId: row.providerId } : null;
  }

  /** Unlinks one identity of the account, inside the caller's transaction, with its event and webhook; false when gone already. */
  async unlink(tx: EntityManager, userId: number, publicId: string, providerId: string, client: ClientInfo): Promise<boolean> {
    const result = await tx.delete(IdentityEntity, { userId, publicId });
    if (result.affected !== 1) return false;
    await this.recordUnlinked(tx, userId, publicId, providerId, 'owner', client);
    return true;
  }

  /**
   * A provider is being removed (inside that transaction): each account
   * linked through it is told, as for an unlink, and its identities go.
   * Bounded by the number of people who signed in with that provider; a
   * provider is removed rarely, by an operator.
   */
  async forgetProvider(tx: EntityManager, provider: { rowId: number; id: string }, client: ClientInfo): Promise<number> {
    const rows = await tx.find(IdentityEntity, {
      select: { id: true, userId: true, publicId: true },
      where: { providerId: provider.rowId },
    });
    for (const row of rows) await this.recordUnlinked(tx, row.userId, row.publicId, provider.id, 'provider_removed', client);
    for (let i = 0; i < rows.length; i += 500) {
      await tx.delete(IdentityEntity, { id: In(rows.slice(i, i + 500).map((row) => row.id)) });
    }
    return rows.length;
  }

  private async recordUnlinked(
    tx: EntityManager,
    userId: number,
    publicId: string,
    providerId: string,
    reason: 'owner' | 'provider_removed',
    client: ClientInfo,
  ): Promise<void> {
    await this.events.record(tx, userId, SecurityEventType.IdentityUnlinked, client);
    await this.webhooks.enqueue(tx, { type: 'identity.unlinked', userId, data: { identity_id: publicId, provider: providerId, reason } });
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(IdentityEntity, { userId });
  }

  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<{ identities: IdentityDto[] }> {
    return { identities: await this.list(userId, tx) };
  }
}
