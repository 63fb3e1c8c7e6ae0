import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuthService } from '../auth/auth.service.js';
import { ValidationCodesService } from '../codes/validation-codes.service.js';
import { isUniqueViolation } from '../database/driver-errors.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { IdentitiesService, type LinkedIdentity } from '../identities/identities.service.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import type { Provider } from '../sign-in-providers/sign-in-providers.service.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { LoginCodes } from './login-codes.service.js';
import { refused, type SignInOutcome, verificationRequired } from './sign-in-outcome.js';
import type { UpstreamIdentity } from './upstream.js';

/** Which account a callback is about: a sign-in, or a link started by a signed-in account. */
export interface LinkingRequest {
  provider: Provider;
  identity: UpstreamIdentity;
  /** The signed-in account a link was started for; null for a sign-in. */
  linkTo: number | null;
  client: ClientInfo;
}

/** Rolls the linking transaction back: the account was disabled meanwhile. */
class AccountDisabled extends Error {}

/**
 * The linking rules: which account a provider's sign-in opens, and when it
 * may link one.
 *
 * 1. A subject of the provider already linked signs its account in.
 * 2. Otherwise the address decides, and only an address the provider
 *    vouches for counts: it says the address is verified and the operator
 *    trusts it to say so (`--trust-email`). Such an address links the
 *    account that holds it (a notice mail and an event say so), or makes a
 *    new active account, without a password, when none holds it (an
 *    account never activated is one no one proved, and is taken over).
 * 3. An address not vouched for never opens an existing account (a
 *    takeover through a provider that lets anyone claim any address):
 *    `link_required`, and the person links from a signed-in session. With
 *    no account, or one never activated, a code is mailed to the address
 *    as registration mails one (`verification_required`); the account is
 *    made active by that code and a password (3), and the identity is not
 *    linked until its owner links it (an identity left waiting on an
 *    account another person then activates would be a way into it).
 *
 * A link started while signed in (55) links the subject to that account,
 * whatever the address, unless the subject signs another account in.
 * Every sign-in runs under the account's login limits (a disabled account
 * counts as a failed login, as a wrong password does).
 */
@Injectable()
export class AccountLinking {
  constructor(
    private readonly users: UsersService,
    private readonly identities: IdentitiesService,
    private readonly codes: ValidationCodesService,
    private readonly loginCodes: LoginCodes,
    private readonly auth: AuthService,
    private readonly transactions: TransactionRunner,
    private readonly mail: MailOutbox,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async resolve(request: LinkingRequest, retried = false): Promise<SignInOutcome> {
    try {
      return await this.decide(request);
    } catch (error) {
      // Another callback linked the same subject at the same moment: decide again, now that it is linked.
      if (isUniqueViolation(error) && !retried) return this.resolve(request, true);
      throw error;
    }
  }

  private async decide({ provider, identity, linkTo, client }: LinkingRequest): Promise<SignInOutcome> {
    const linked = await this.identities.findBySubject(provider.rowId, identity.subject);
    if (linkTo !== null) return this.linkToSignedIn(linkTo, linked, { provider, identity, client });
    if (linked) return this.signInLinked(linked, identity, client);
    if (identity.email === null) return refused('email_required');
    const holder = await this.users.findByEmail(identity.email);
    if (!(provider.trustEmail && identity.emailVerified)) {
      if (holder && holder.status !== UserStatus.Inactive) return refused('link_required');
      const account = holder ?? (await this.users.findOrCreateInactive(identity.email));
      if (account.status !== UserStatus.Inactive) return refused('link_required');
      await this.codes.issue(account, client.address);
      return verificationRequired(account.email);
    }
    if (holder?.status === UserStatus.Disabled) return this.refuseDisabled(holder, client);
    const account = holder ?? (await this.users.findOrCreateInactive(identity.email));
    return this.linkAndSignIn(account, { provider, identity, client });
  }

  /** The account of a linked subject, under its login limits; its last use and the address the provider gives now recorded. */
  private async signInLinked(linked: LinkedIdentity, identity: UpstreamIdentity, client: ClientInfo): Promise<SignInOutcome> {
    const account = await this.users.findAccount(linked.userId);
    if (!account) return refused('access_denied');
    const loginCode = await this.auth.attemptSignIn(account.email, client, () =>
      this.openAccount(account.id, async (tx, at) => {
        await this.identities.recordUse(tx, linked.rowId, identity.email ?? '', at);
      }),
    );
    return loginCode ? { kind: 'signed_in', loginCode: loginCode.code } : refused('account_disabled');
  }

  /** Links the vouched-for address's account (activating one never activated) and signs it in. */
  private async linkAndSignIn(account: Account, { provider, identity, client }: Omit<LinkingRequest, 'linkTo'>): Promise<SignInOutcome> {
    const loginCode = await this.auth.attemptSignIn(account.email, client, () =>
      this.openAccount(
        account.id,
        async (tx, at, current) => {
          await this.identities.link(
            tx,
            { userId: current.id, provider, subject: identity.subject, email: identity.email ?? '' },
            client,
            at,
            { signingIn: true },
          );
          if (current.status === UserStatus.Inactive) {
            await this.users.activateWithoutPassword(tx, current.id, at);
            await this.webhooks.enqueue(tx, { type: 'user.activated', userId: current.id, data: { email: current.email } });
          } else {
            await this.notify(tx, current.email, 'identity_linked', provider, client, at);
          }
        },
        true,
      ),
    );
    return loginCode ? { kind: 'signed_in', loginCode: loginCode.code } : refused('account_disabled');
  }

  /** A link started while signed in: to that account, unless the subject opens another one already. */
  private async linkToSignedIn(
    userId: number,
    linked: LinkedIdentity | null,
    { provider, identity, client }: Omit<LinkingRequest, 'linkTo'>,
  ): Promise<SignInOutcome> {
    if (linked) return linked.userId === userId ? { kind: 'linked' } : refused('already_linked');
    try {
      await this.transactions.run(async (tx) => {
        await this.users.lock(tx, userId);
        const account = await this.users.findAccount(userId, tx);
        if (account?.status !== UserStatus.Active) throw new AccountDisabled();
        const at = Date.now();
        await this.identities.link(tx, { userId, provider, subject: identity.subject, email: identity.email ?? '' }, client, at, {
          signingIn: false,
        });
        await this.notify(tx, account.email, 'identity_linked', provider, client, at);
      });
    } catch (error) {
      if (error instanceof AccountDisabled) return refused('account_disabled');
      throw error;
    }
    return { kind: 'linked' };
  }

  /**
   * The transaction that opens an account: its row locked, re-read, `work`
   * done and a login code issued, or null (rolled back) when the account is
   * not active (or, with `orInactive`, not active or never activated).
   */
  private async openAccount(
    userId: number,
    work: (tx: EntityManager, at: number, account: Account) => Promise<void>,
    orInactive = false,
  ): Promise<{ code: string } | null> {
    try {
      return await this.transactions.run(async (tx) => {
        await this.users.lock(tx, userId);
        const account = await this.users.findAccount(userId, tx);
        const usable = account?.status === UserStatus.Active || (orInactive && account?.status === UserStatus.Inactive);
        if (!account || !usable) throw new AccountDisabled();
        await work(tx, Date.now(), account);
        return { code: await this.loginCodes.issue(tx, userId) };
      });
    } catch (error) {
      if (error instanceof AccountDisabled) return null;
      throw error;
    }
  }

  /** A disabled account is refused as a wrong password is: a failed login against its limits. */
  private async refuseDisabled(account: Account, client: ClientInfo): Promise<SignInOutcome> {
    await this.auth.attemptSignIn(account.email, client, async () => null);
    return refused('account_disabled');
  }

  private notify(
    tx: EntityManager,
    email: string,
    kind: 'identity_linked',
    provider: Provider,
    client: ClientInfo,
    at: number,
  ): Promise<void> {
    return this.mail.enqueue(tx, email, NOTICE_MAIL_PURPOSE, buildNoticeMail(kind, { email, at, client, providerName: provider.name }));
  }
}
