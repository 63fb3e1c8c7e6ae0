import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Account as ProviderAccount, AccountClaims } from 'oidc-provider';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import type { PreparedRead } from '../database/prepared-read.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ProfileFields } from '../profile/profile-fields.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { type AccountRow, createAccountLookup } from './account-lookup.js';

/**
 * The claims of each scope (SPEC 45), as the provider's `claims` option
 * takes them. `amr` under `openid`: every ID token says how the person
 * signed in (SPEC 44), not only one whose request asked for it.
 */
export const SCOPE_CLAIMS = {
  openid: ['sub', 'amr'],
  profile: ['name', 'given_name', 'family_name', 'picture', 'department'],
  email: ['email', 'email_verified'],
  address: ['address'],
} as const;

/**
 * An account's claims: the profile's fields as OpenID Connect names them,
 * each only when it holds a value (an unset field is left out, not "").
 * The address is proved by a mailed code before an account is active.
 */
export function claimsOf(sub: string, email: string, profile: ProfileFields): AccountClaims {
  const name = [profile.firstName, profile.lastName].filter((part) => part !== '').join(' ');
  const given = (key: string, value: string) => (value === '' ? {} : { [key]: value });
  return {
    sub,
    email,
    email_verified: true,
    ...given('name', name),
    ...given('given_name', profile.firstName),
    ...given('family_name', profile.lastName),
    ...given('picture', profile.avatar),
    ...given('department', profile.department),
    ...(profile.country === '' ? {} : { address: { country: profile.country } }),
  };
}

/** Public ids as the account's owner makes them: 128 random bits, hex. */
const PUBLIC_ID = /^[0-9a-f]{32}$/;

/**
 * Accounts as the provider sees them: `accountId` is the account's public
 * id (never its row id or address); only an active account is found, so a
 * disabled or deleted one cannot sign in, refresh or read userinfo.
 */
@Injectable()
export class OidcAccounts {
  private readonly pairwiseKey: Buffer;
  /**
   * The account and its profile in one read (account-lookup.ts): every
   * userinfo, refresh and code exchange asks the database, so a disabled
   * or deleted account is refused at once.
   */
  private readonly readAccount: PreparedRead<AccountRow>;

  constructor(
    @Inject(appConfig.KEY) config: AppConfigType,
    private readonly users: UsersService,
    transactions: TransactionRunner,
    causal: CausalReads,
  ) {
    this.pairwiseKey = Buffer.from(hkdfSync('sha256', config.secret, 'one_auth', 'oidc pairwise subject', 32));
    this.readAccount = createAccountLookup(transactions.dataSource, causal);
  }

  /** The provider's `findAccount`. */
  async find(publicId: string): Promise<ProviderAccount | undefined> {
    const row = await this.activeRow(publicId);
    if (!row) return undefined;
    const profile: ProfileFields = {
      firstName: row.first_name,
      lastName: row.last_name,
      country: row.country,
      department: row.department,
      avatar: row.avatar,
    };
    return { accountId: publicId, claims: () => claimsOf(publicId, row.email, profile) };
  }

  /** The active account behind a public id, or null. */
  async active(publicId: string): Promise<Account | null> {
    const account = await this.users.findByPublicId(publicId);
    return account?.status === UserStatus.Active ? account : null;
  }

  private async activeRow(publicId: string): Promise<AccountRow | undefined> {
    if (!PUBLIC_ID.test(publicId)) return undefined;
    const [row] = await this.readAccount(publicId);
    return row?.status === UserStatus.Active ? row : undefined;
  }

  /**
   * A pairwise subject (OIDC Core 8.1), per client rather than per host:
   * two apps registered `--pairwise` never see one subject for a person,
   * even on one host. A keyed hash, so it is stable and reveals nothing.
   */
  pairwise(publicId: string, clientId: string): string {
    return createHmac('sha256', this.pairwiseKey).update(`${clientId}\n${publicId}`).digest('base64url');
  }
}
