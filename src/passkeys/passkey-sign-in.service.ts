import { Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import type { LoginResponseDto } from '../auth/dto/login-response.dto.js';
import { SessionsService } from '../auth/sessions.service.js';
import type { ClientInfo } from '../http/client-info.js';
import { toUserProfile } from '../profile/dto/user-profile.dto.js';
import { ProfileService } from '../profile/profile.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { PasskeyAuthentication } from './passkey-authentication.service.js';
import { PasskeyNotAcceptedError } from './passkey-errors.js';

/**
 * Signing in with a passkey (31): the assertion verified, then a session
 * issued as a password login issues one (4), under the same login limits.
 */
@Injectable()
export class PasskeySignIn {
  constructor(
    private readonly authentication: PasskeyAuthentication,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly profiles: ProfileService,
    private readonly events: SecurityEvents,
  ) {}

  /**
   * A new token for the account whose passkey signed the response. Only an
   * active account signs in; anything refused is the one 401, and counts as
   * a failed login against the account the credential belongs to (when it
   * is one of ours) and the client address.
   */
  async signIn(response: unknown, mfaToken: string | undefined, client: ClientInfo): Promise<LoginResponseDto> {
    if (mfaToken !== undefined) {
      // The second step of a two-step login: resolve the mfa_token to its account (401 "Login expired" when it is
      // dead), verify with { expectedUserId } of that account, spend the mfa_token, then issue the session. Until the
      // mfa_token store exists, no second step is open.
      throw new PasskeyNotAcceptedError(401);
    }
    const ownerId = await this.authentication.claimedOwner(response);
    const owner = ownerId === null ? null : await this.users.findById(ownerId).catch(() => null);
    const account = await this.auth.attemptSignIn<Account>(owner?.email ?? null, client, async () => {
      const userId = await this.authentication.verify(response);
      if (userId !== null && owner && userId === owner.id && owner.status === UserStatus.Active) return owner;
      if (owner) this.events.recordLater(owner.id, SecurityEventType.SignInFailed, client);
      return null;
    });
    if (!account) throw new PasskeyNotAcceptedError(401);
    const [accessToken, profile] = await Promise.all([
      this.sessions.login(account.id, client, { how: SecurityEventType.PasskeySignIn }),
      this.profiles.read(account.id),
    ]);
    return { access_token: accessToken, user_profile: toUserProfile(account.email, profile) };
  }
}
