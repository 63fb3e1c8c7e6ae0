import { Injectable } from '@nestjs/common';
import { PENDING_LOGIN_TTL_MS } from '../../second-factor/pending-logins.service.js';
import { OidcStore } from '../oidc-store.js';

/** The store's model for a login between its password and its second step. */
export const LOGIN_STEP_MODEL = 'LoginStep';

/** A login page's sign-in whose first step passed (a password, another provider), waiting for its second step. */
export interface LoginStep {
  /** The account's public id, the provider's accountId. */
  accountId: string;
  userId: number;
  email: string;
  /** The pending login of the second-factor module (its mfa_token), finished as the API's 23 and 31 finish one. */
  mfaToken: string;
  /** Whether the account can use a passkey as its second step. */
  passkey: boolean;
  /** How the first step was passed (RFC 8176): `pwd`, or nothing for another provider's sign-in. Absent: a password. */
  firstAmr?: string[];
}

/**
 * Logins of the login pages between their steps, kept with the provider's
 * records (sealed, in the database: the second step may be answered by
 * another instance), keyed by the interaction, as long as the pending login
 * lives.
 */
@Injectable()
export class LoginSteps {
  constructor(private readonly store: OidcStore) {}

  async save(uid: string, step: LoginStep): Promise<void> {
    await this.store.upsert(LOGIN_STEP_MODEL, uid, { ...step }, PENDING_LOGIN_TTL_MS / 1000);
  }

  async find(uid: string): Promise<LoginStep | null> {
    const found = await this.store.find(LOGIN_STEP_MODEL, uid);
    return found ? (found.payload as unknown as LoginStep) : null;
  }

  async forget(uid: string): Promise<void> {
    await this.store.destroy(LOGIN_STEP_MODEL, uid);
  }
}
