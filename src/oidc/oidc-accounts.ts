import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Account as ProviderAccount, AccountClaims } from 'oidc-provider';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import type { ProfileFields } from '../profile/profile-fields.js';
import { ProfileService } from '../profile/profile.service.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';

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

/** Scopes whose claims come from the profile: for any other, the account's row is enough. */
const PROFILE_SCOPES = /\b(profile|address)\b/;

/**
 * Accounts as the provider sees them: `accountId` is the account's public
 * id (never its row id or address); only an active account is found, so a
 * disabled or deleted one cannot sign in, refresh or read userinfo.
 */
@Injectable()
export class OidcAccounts {
  private readonly pairwiseKey: Buffer;

  constructor(
    @Inject(appConfig.KEY) config: AppConfigType,
    private readonly users: UsersService,
    private readonly profiles: ProfileService,
  ) {
    this.pairwiseKey = Buffer.from(hkdfSync('sha256', config.secret, 'one_auth', 'oidc pairwise subject', 32));
  }

  /** The provider's `findAccount`. */
  async find(publicId: string): Promise<ProviderAccount | undefined> {
    const account = await this.users.findByPublicId(publicId);
    if (!account || account.status !== UserStatus.Active) return undefined;
    return {
      accountId: publicId,
      claims: async (_use: string, scope: string) =>
        claimsOf(publicId, account.email, PROFILE_SCOPES.test(scope) ? await this.profiles.read(account.id) : EMPTY),
    };
  }

  /** The active account behind a public id, or null. */
  async active(publicId: string): Promise<Account | null> {
    const account = await this.users.findByPublicId(publicId);
    return account?.status === UserStatus.Active ? account : null;
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

const EMPTY: ProfileFields = { firstName: '', lastName: '', country: '', department: '', avatar: '' };
