import { hash, randomBytes } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/driver-errors.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { PruneCutoffs, PruneTask, PrunesRows } from '../database/pruning.js';
import type { ClientInfo } from '../http/client-info.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import type { ErasedAccount, ErasesAccountData, ExportsAccountData } from '../users/account-data.js';
import { UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { type PasskeyDto, toPasskeyDto } from './dto/passkey.dto.js';
import { PasskeyChallenges } from './passkey-challenges.service.js';
import { PasskeyEntity } from './passkey.entity.js';
import { PasskeyLimitError, PasskeyNotAcceptedError } from './passkey-errors.js';

/**
 * Passkeys one account may hold: more than anyone has devices and
 * password managers, few enough that the list, the options of a ceremony
 * (every one is excluded or allowed by id) and the table stay small.
 */
export const MAX_PASSKEYS_PER_ACCOUNT = 20;
export const PASSKEY_NOT_FOUND_MESSAGE = 'Passkey not found';
export const PASSKEY_LIMIT_MESSAGE = `At most ${MAX_PASSKEYS_PER_ACCOUNT} passkeys per account`;
const PUBLIC_ID = /^[0-9a-f]{32}$/;

/** A credential the registration ceremony verified, ready to keep. */
export interface NewPasskey {
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  userHandle: string;
  name: string;
  backedUp: boolean;
}

/** What the authentication ceremony needs of a stored passkey. */
export interface StoredCredential {
  rowId: number;
  userId: number;
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  signCount: number;
  transports: string[];
  userHandle: string;
  /** Synced between devices (a software-held key) rather than bound to one. */
  backedUp: boolean;
}

/** The id and transports of a credential, as the options of a ceremony name it. */
export interface CredentialDescriptor {
  id: string;
  transports: string[];
}

export const credentialHash = (credentialId: string) => hash('sha256', credentialId, 'hex');
const splitTransports = (transports: string) => (transports ? transports.split(',') : []);

/**
 * The only code that writes `passkeys`: each passkey added or removed with
 * its security event, webhook and (for an addition) notice mail in one
 * transaction; its signature counter moved forward at each use.
 */
@Injectable()
export class PasskeysService implements ErasesAccountData, ExportsAccountData<{ passkeys: PasskeyDto[] }>, PrunesRows {
  constructor(
    @InjectRepository(PasskeyEntity) private readonly passkeys: Repository<PasskeyEntity>,
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly challenges: PasskeyChallenges,
    private readonly events: SecurityEvents,
    private readonly webhooks: WebhookOutbox,
    private readonly mail: MailOutbox,
  ) {}

  /** The account's passkeys, newest first. */
  async list(userId: number, manager?: EntityManager): Promise<PasskeyDto[]> {
    const rows = await (manager ?? this.passkeys.manager).find(PasskeyEntity, {
      where: { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map(toPasskeyDto);
  }

  /** Whether the account can take a passkey as its second step (the login's list of methods). */
  async hasPasskey(userId: number): Promise<boolean> {
    return this.passkeys.exists({ where: { userId } });
  }

  /** How many passkeys each of these accounts holds (an operator's page of accounts): one query. */
  async countsOf(userIds: number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = (await this.passkeys
      .createQueryBuilder('passkey')
      .select('passkey.user_id', 'user_id')
      .addSelect('COUNT(*)', 'count')
      .where('passkey.user_id IN (:...userIds)', { userIds })
      .groupBy('passkey.user_id')
      .getRawMany()) as { user_id: number | string; count: number | string }[];
    return new Map(rows.map((row) => [Number(row.user_id), Number(row.count)]));
  }

  /** The account's credentials, to exclude from a new registration or to allow in a sign-in. */
  async credentialsOf(userId: number): Promise<CredentialDescriptor[]> {
    const rows = await this.passkeys.find({ where: { userId }, select: { credentialId: true, transports: true }, order: { id: 'ASC' } });
    return rows.map((row) => ({ id: row.credentialId, transports: splitTransports(row.transports) }));
  }

  /** Whether the account may add one more passkey. */
  async hasRoomFor(userId: number): Promise<boolean> {
    return (await this.passkeys.count({ where: { userId } })) < MAX_PASSKEYS_PER_ACCOUNT;
  }

  async findByCredentialId(credentialId: string): Promise<StoredCredential | null> {
    const row = await this.passkeys.findOne({ where: { credentialHash: credentialHash(credentialId) } });
    if (!row || row.credentialId !== credentialId) return null;
    return {
      rowId: row.id,
      userId: row.userId,
      credentialId: row.credentialId,
      publicKey: new Uint8Array(Buffer.from(row.publicKey, 'base64url')),
      signCount: row.signCount,
      transports: splitTransports(row.transports),
      userHandle: row.userHandle,
      backedUp: row.backedUp,
    };
  }

  /**
   * Keeps a verified credential for the account. The account's additions
   * take turns (its row locked), so the cap holds under concurrency; a
   * credential already kept, by this account or another, is refused.
   */
  async add(account: { id: number; email: string }, passkey: NewPasskey, client: ClientInfo): Promise<PasskeyDto> {
    try {
      return await this.transactions.run(async (tx) => {
        await this.users.lock(tx, account.id);
        if ((await tx.count(PasskeyEntity, { where: { userId: account.id } })) >= MAX_PASSKEYS_PER_ACCOUNT) {
          throw new PasskeyLimitError(PASSKEY_LIMIT_MESSAGE);
        }
        const hashed = credentialHash(passkey.credentialId);
        if (await tx.exists(PasskeyEntity, { where: { credentialHash: hashed } })) throw new PasskeyNotAcceptedError(422);
        const at = Date.now();
        const row: Omit<PasskeyEntity, 'id' | 'user'> = {
          userId: account.id,
          publicId: randomBytes(16).toString('hex'),
          credentialId: passkey.credentialId,
          credentialHash: hashed,
          publicKey: Buffer.from(passkey.publicKey).toString('base64url'),
          signCount: passkey.signCount,
          transports: passkey.transports.join(','),
          userHandle: passkey.userHandle,
          name: passkey.name,
          backedUp: passkey.backedUp,
          createdAt: at,
          lastUsedAt: null,
        };
        await tx.insert(PasskeyEntity, row);
        await this.events.record(tx, account.id, SecurityEventType.PasskeyAdded, client, at);
        await this.webhooks.enqueue(tx, { type: 'passkey.added', userId: account.id, data: { passkey_id: row.publicId, name: row.name } });
        await this.mail.enqueue(
          tx,
          account.email,
          NOTICE_MAIL_PURPOSE,
          buildNoticeMail('passkey_added', { email: account.email, at, client, passkeyName: row.name }),
        );
        return toPasskeyDto({ id: 0, ...row });
      });
    } catch (error) {
      // The same credential registered twice at once: the unique index refused the second.
      if (isUniqueViolation(error)) throw new PasskeyNotAcceptedError(422);
      throw error;
    }
  }

  /** Removes one of the account's passkeys; any other id (another account's, unknown, malformed) is the same 404. */
  async remove(userId: number, publicId: string, client: ClientInfo): Promise<void> {
    const removed =
      PUBLIC_ID.test(publicId) &&
      (await this.transactions.run(async (tx) => {
        const result = await tx.delete(PasskeyEntity, { userId, publicId });
        if (result.affected !== 1) return false;
        await this.events.record(tx, userId, SecurityEventType.PasskeyRemoved, client);
        await this.webhooks.enqueue(tx, { type: 'passkey.removed', userId, data: { passkey_id: publicId } });
        return true;
      }));
    if (!removed) throw new NotFoundException(PASSKEY_NOT_FOUND_MESSAGE);
  }

  /**
   * Records a sign-in with the passkey, moving its counter from what the
   * ceremony checked against to what the authenticator reported. The
   * UPDATE is conditional on the counter still being the one checked: of two
   * uses racing with one counter value (a cloned authenticator, a replay),
   * only one is recorded, and the other is refused.
   */
  async recordUse(credential: StoredCredential, newSignCount: number, backedUp: boolean): Promise<boolean> {
    const result = await this.transactions.run((tx) =>
      tx.update(
        PasskeyEntity,
        { id: credential.rowId, signCount: credential.signCount },
        { signCount: newSignCount, lastUsedAt: Date.now(), backedUp },
      ),
    );
    return result.affected === 1;
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await this.challenges.eraseAccount(tx, userId);
    await tx.delete(PasskeyEntity, { userId });
  }

  /** Names and dates only: the credential id and public key are no use to anyone but this service. */
  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<{ passkeys: PasskeyDto[] }> {
    return { passkeys: await this.list(userId, tx) };
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return this.challenges.pruneTasks(cutoffs);
  }
}
