import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PruneCutoffs, PruneTask, PrunesRows } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientRegistration } from '../oidc-clients/client-registration.js';
import { OidcClientsService } from '../oidc-clients/oidc-clients.service.js';
import { type ErasedAccount, type ErasesAccountData, type ExportsAccountData, isoTime } from '../users/account-data.js';
import { UsersService } from '../users/users.service.js';
import { BackChannelLogouts, type OwedLogout } from './back-channel-logouts.js';
import type { AppDto } from './dto/app.dto.js';
import { LOGIN_STEP_MODEL } from './login/login-steps.js';
import { OidcAccounts } from './oidc-accounts.js';
import { CONSENT_MODEL, OidcStore, type StoredPayload } from './oidc-store.js';

export const APP_NOT_FOUND_MESSAGE = 'App not found';

/** Everything an account is signed in with at the provider: browser sessions, logins under way, grants, codes and tokens. */
const SIGN_IN_MODELS = ['Session', 'Interaction', LOGIN_STEP_MODEL, 'Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken'];

/** The clients a session authorized, each with the session's `sid` for it. */
type SessionAuthorizations = Record<string, { sid?: string }>;

/**
 * What the account decides at the provider (48, 50): its sign-ins end with
 * its other sessions (AccountSignOuts), its apps are listed and revoked by
 * its owner, erased with it, exported with it. Each end of a session with
 * an app that has a `backchannel_logout_uri` queues a logout token, in the
 * same transaction.
 */
@Injectable()
export class OidcAccountService implements ErasesAccountData, ExportsAccountData<{ apps: AppDto[] }>, PrunesRows {
  constructor(
    private readonly store: OidcStore,
    private readonly users: UsersService,
    private readonly clients: OidcClientsService,
    private readonly accounts: OidcAccounts,
    private readonly logouts: BackChannelLogouts,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Every sign-in of the account at the provider ends (its apps stay let in), inside the caller's transaction. */
  async signOut(tx: EntityManager, userId: number): Promise<void> {
    const publicId = await this.users.publicIdOf(userId, tx);
    if (publicId) await this.end(tx, publicId, SIGN_IN_MODELS);
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    const publicId = await this.users.publicIdOf(userId, tx);
    if (publicId) await this.end(tx, publicId, [...SIGN_IN_MODELS, CONSENT_MODEL]);
  }

  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<{ apps: AppDto[] }> {
    const publicId = await this.users.publicIdOf(userId, tx);
    return { apps: publicId ? await this.appsOf(publicId, tx) : [] };
  }

  /** The apps the account let in (50), in the order it did. */
  async apps(userId: number): Promise<AppDto[]> {
    const publicId = await this.users.publicIdOf(userId);
    return publicId ? this.appsOf(publicId) : [];
  }

  /**
   * Revokes an app (50): what the account let it have, and every session,
   * code and token it holds, at once; a back-channel logout goes to it.
   * 404 App not found for an app the account never let in.
   */
  async revokeApp(userId: number, clientId: string): Promise<void> {
    const revoked = await this.transactions.run(async (tx) => {
      const publicId = await this.users.publicIdOf(userId, tx);
      if (!publicId || !(await this.store.consentsOf(publicId, tx)).some((consent) => consent.clientId === clientId)) return false;
      const sessions = await this.store.ofAccount(tx, publicId, ['Session']);
      const sids = new Set<string | undefined>();
      for (const { payload } of sessions) {
        const authorization = authorizationsOf(payload)[clientId];
        if (authorization) sids.add(authorization.sid);
      }
      await this.store.deleteOfAccountAndClient(tx, publicId, clientId);
      await this.queueLogouts(tx, publicId, new Map([[clientId, sids.size > 0 ? sids : new Set([undefined])]]));
      return true;
    });
    if (!revoked) throw new NotFoundException(APP_NOT_FOUND_MESSAGE);
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [...this.store.pruneTasks(cutoffs), ...this.logouts.pruneTasks(cutoffs)];
  }

  private async appsOf(publicId: string, manager?: EntityManager): Promise<AppDto[]> {
    const consents = await this.store.consentsOf(publicId, manager);
    const registrations = await this.clients.registrationsOf(consents.map((consent) => consent.clientId));
    // An app deleted by an operator is gone from the list (its records go with it).
    return consents
      .filter((consent) => registrations.has(consent.clientId))
      .map((consent) => ({
        client_id: consent.clientId,
        name: registrations.get(consent.clientId)!.client_name,
        scopes: consent.scopes,
        granted_at: isoTime(consent.createdAt),
        last_used_at: isoTime(consent.lastUsedAt),
      }));
  }

  /**
   * Ends the account's records of these models, and queues a logout for
   * every app one of them kept it signed in to: per session (with its
   * `sid`), or, for an app holding tokens outside any live session, one
   * about the person (`sub` alone).
   */
  private async end(tx: EntityManager, publicId: string, models: string[]): Promise<void> {
    const records = await this.store.ofAccount(tx, publicId, models);
    const owed = new Map<string, Set<string | undefined>>();
    const owe = (clientId: string, sid: string | undefined) => owed.set(clientId, (owed.get(clientId) ?? new Set()).add(sid));
    for (const { model, payload } of records) {
      if (model === 'Session') for (const [clientId, { sid }] of Object.entries(authorizationsOf(payload))) owe(clientId, sid);
    }
    for (const { model, payload } of records) {
      if ((model === 'RefreshToken' || model === 'AccessToken') && typeof payload.clientId === 'string' && !owed.has(payload.clientId)) {
        owe(payload.clientId, undefined);
      }
    }
    await this.store.deleteOfAccount(tx, publicId, models);
    await this.queueLogouts(tx, publicId, owed);
  }

  private async queueLogouts(tx: EntityManager, publicId: string, owed: Map<string, Set<string | undefined>>): Promise<void> {
    const registrations = await this.clients.registrationsOf([...owed.keys()]);
    const logouts: OwedLogout[] = [];
    for (const [clientId, sids] of owed) {
      const registration = registrations.get(clientId);
      if (!registration?.backchannel_logout_uri) continue;
      const sub = this.subjectFor(publicId, clientId, registration);
      for (const sid of sids) logouts.push({ clientId, endpoint: registration.backchannel_logout_uri, sub, sid });
    }
    await this.logouts.enqueue(tx, logouts);
  }

  private subjectFor(publicId: string, clientId: string, registration: ClientRegistration): string {
    return registration.subject_type === 'pairwise' ? this.accounts.pairwise(publicId, clientId) : publicId;
  }
}

function authorizationsOf(payload: StoredPayload): SessionAuthorizations {
  const authorizations = payload.authorizations;
  return authorizations && typeof authorizations === 'object' ? (authorizations as SessionAuthorizations) : {};
}
