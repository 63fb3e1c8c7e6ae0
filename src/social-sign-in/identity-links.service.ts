import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import type { IdentityDto } from '../identities/dto/identity.dto.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { StepUp } from '../second-factor/step-up.service.js';
import { SignInProvidersService } from '../sign-in-providers/sign-in-providers.service.js';
import { UsersService } from '../users/users.service.js';
import { SocialSignInService } from './social-sign-in.service.js';

export const IDENTITY_NOT_FOUND_MESSAGE = 'Identity not found';
export const LAST_WAY_IN_MESSAGE = 'Set a password before removing your last way to sign in';
export const SIGN_IN_AGAIN_TO_LINK_MESSAGE = 'Sign in again to link an account';

/** Rolls an unlink back: it would leave the account no way to sign in. */
class LastWayIn extends Error {}

/**
 * The identities of a signed-in account (55): listed, linked (the flow of
 * 52–53, bound to the account) and unlinked. Linking adds a lasting way in,
 * as adding a passkey does, so a token alone is not enough: it must come
 * from a sign-in less than 10 minutes old (StepUp), whether the account has
 * a password or not.
 */
@Injectable()
export class IdentityLinks {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly providers: SignInProvidersService,
    private readonly social: SocialSignInService,
    private readonly stepUp: StepUp,
    private readonly users: UsersService,
    private readonly passkeys: PasskeysService,
    private readonly transactions: TransactionRunner,
    private readonly mail: MailOutbox,
  ) {}

  list(userId: number): Promise<IdentityDto[]> {
    return this.identities.list(userId);
  }

  /** The provider's URL for the browser: it comes back to `returnTo` with `linked=true` or an `error`. */
  async startLink(principal: TokenPrincipal, providerId: string, returnTo: string, appState?: string): Promise<string> {
    await this.stepUp.requireRecentSignIn(principal.tokenId, SIGN_IN_AGAIN_TO_LINK_MESSAGE);
    return this.social.start({ providerId, returnTo, appState, linkTo: principal.user.id });
  }

  /**
   * Unlinks one of the account's identities, told by event, webhook and
   * mail. Refused (409) when it is the account's last way to sign in: no
   * password, no other identity, no passkey (a passkey signs in alone, 31).
   * The mailbox is no way in by itself, but it is a way back: a code mailed
   * to it (9) sets a password (3), after which the identity may go. The
   * password and the identities are counted after the account's row lock,
   * so two unlinks of its last two identities take turns and the second sees
   * the first; the passkeys are looked at just before (their removal does
   * not take that lock).
   */
  async unlink(principal: TokenPrincipal, publicId: string, client: ClientInfo): Promise<void> {
    const { id: userId, email } = principal.user;
    const hasPasskey = await this.passkeys.hasPasskey(userId);
    const providerName = await this.transactions
      .run(async (tx) => {
        await this.users.lock(tx, userId);
        const identity = await this.identities.findOwn(tx, userId, publicId);
        if (!identity) return null;
        const otherWays = hasPasskey || (await this.users.hasPassword(userId, tx)) || (await this.identities.count(tx, userId)) > 1;
        if (!otherWays) throw new LastWayIn();
        const provider = await this.providers.findByRowId(identity.providerRowId);
        if (!(await this.identities.unlink(tx, userId, publicId, provider?.id ?? '', client))) return null;
        const at = Date.now();
        const name = provider?.name ?? 'another provider';
        await this.mail.enqueue(
          tx,
          email,
          NOTICE_MAIL_PURPOSE,
          buildNoticeMail('identity_unlinked', { email, at, client, providerName: name }),
        );
        return name;
      })
      .catch((error: unknown) => {
        if (error instanceof LastWayIn) throw new ConflictException(LAST_WAY_IN_MESSAGE);
        throw error;
      });
    if (providerName === null) throw new NotFoundException(IDENTITY_NOT_FOUND_MESSAGE);
  }
}
