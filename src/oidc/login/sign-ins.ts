import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuthService } from '../../auth/auth.service.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { ClientInfo } from '../../http/client-info.js';
import { credentialIdOf } from '../../passkeys/webauthn-response.js';
import { PasskeySignIn } from '../../passkeys/passkey-sign-in.service.js';
import { PasskeysService } from '../../passkeys/passkeys.service.js';
import { PendingLogins } from '../../second-factor/pending-logins.service.js';
import { SecondFactorStore } from '../../second-factor/second-factor-store.service.js';
import { SecondStepMethods } from '../../second-factor/second-step-methods.js';
import { TwoStepLoginService } from '../../second-factor/two-step-login.service.js';
import { SecurityEventType } from '../../security-events/security-event-type.js';
import { SecurityEvents } from '../../security-events/security-events.service.js';
import { LoginCodeLogin } from '../../social-sign-in/login-code-login.service.js';
import { type Account, UsersService } from '../../users/users.service.js';
import type { LoginStep } from './login-steps.js';

/** A finished sign-in, as the provider records it in its session: who, and how (RFC 8176 `amr`). */
export interface SignedIn {
  accountId: string;
  amr: string[];
}

/** What a first step passed leads to: a finished sign-in, or the second step still to come. */
export type FirstStepOutcome = { signedIn: SignedIn } | { secondStep: LoginStep };

/** What a password leads to: as a first step passed, or refused. */
export type PasswordOutcome = FirstStepOutcome | { refused: true };

/** Rolls a sign-in back: two-step login was turned on after the password was checked. */
export class SecondStepNeeded extends Error {
  override name = 'SecondStepNeeded';
}

/** How the first step of a login step was passed; a step saved before it was said is a password's. */
const firstAmrOf = (step: LoginStep): string[] => step.firstAmr ?? ['pwd'];

/**
 * Signing in on the login pages, through the very code paths of the API: the
 * password as a login checks it (4: limits, events, one answer whether or
 * not the account exists, disabled accounts refused), the second step as 23
 * and 31 finish one (a pending login of the second-factor module, its five
 * attempts, codes used up once), a passkey as 31 signs in, another
 * provider's login code as 54 takes one. What differs is
 * what a finished sign-in gives: no access token, a session at the
 * provider, recorded as `oidc.sign_in` with the app's name.
 */
@Injectable()
export class OidcSignIns {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly factors: SecondFactorStore,
    private readonly pending: PendingLogins,
    private readonly methods: SecondStepMethods,
    private readonly twoStep: TwoStepLoginService,
    private readonly passkeySignIn: PasskeySignIn,
    private readonly passkeys: PasskeysService,
    private readonly events: SecurityEvents,
    private readonly transactions: TransactionRunner,
    private readonly loginCodes: LoginCodeLogin,
  ) {}

  /** Step one. A refused password answers as the API's login does (throws 429 past the limits). */
  async password(email: string, password: string, client: ClientInfo, appName: string): Promise<PasswordOutcome> {
    const account = await this.auth.verifyPassword(email, password, client);
    if (!account) return { refused: true };
    return this.afterFirstStep(account, ['pwd'], client, appName);
  }

  /**
   * Step one through another provider: the login code its callback issued
   * (in the database, never in a URL), used up as 54 uses one; throws 401
   * Login expired, 429. RFC 8176 has no method for a sign-in vouched for by
   * another provider, so such a sign-in alone carries no `amr`.
   */
  async provider(loginCode: string, client: ClientInfo, appName: string): Promise<FirstStepOutcome> {
    return this.afterFirstStep(await this.loginCodes.redeem(loginCode, client), [], client, appName);
  }

  /** A first step passed (`amr` says which): signed in, or on an account with two-step login the second step to come. */
  private async afterFirstStep(account: Account, amr: string[], client: ClientInfo, appName: string): Promise<FirstStepOutcome> {
    if (!(await this.factors.hasTwoStepLogin(account.id))) {
      try {
        await this.transactions.run((tx) => this.record(tx, account, client, appName, false));
        return { signedIn: { accountId: await this.publicIdOf(account), amr } };
      } catch (error) {
        if (!(error instanceof SecondStepNeeded)) throw error;
      }
    }
    const [mfaToken, methods, accountId] = await Promise.all([
      this.pending.start(account.id),
      this.methods.forAccount(account.id),
      this.publicIdOf(account),
    ]);
    const passkey = methods.includes('passkey');
    return { secondStep: { accountId, userId: account.id, email: account.email, mfaToken, passkey, firstAmr: amr } };
  }

  /** Step two with a TOTP or recovery code, as 23 checks it; throws 401 Login expired, 422 Invalid code, 429. */
  async code(step: LoginStep, code: string, client: ClientInfo, appName: string): Promise<SignedIn> {
    const { account, proof } = await this.twoStep.checkSecondStep(step.mfaToken, code, client);
    await this.twoStep.completeSecondStep(step.mfaToken, account, proof, client, (tx) => this.record(tx, account, client, appName, true));
    return { accountId: step.accountId, amr: [...firstAmrOf(step), 'otp', 'mfa'] };
  }

  /** Step two with a passkey, as 31 checks it with an mfa_token; throws 401 (Login expired, Passkey not accepted), 429. */
  async passkeySecondStep(step: LoginStep, response: unknown, client: ClientInfo, appName: string): Promise<SignedIn> {
    const account = await this.passkeySignIn.checkSecondStep(response, step.mfaToken, client);
    await this.passkeySignIn.completeSecondStep(step.mfaToken, account, (tx) => this.record(tx, account, client, appName, true));
    return { accountId: step.accountId, amr: [...firstAmrOf(step), await this.passkeyKind(response), 'mfa'] };
  }

  /** A password just set with a mailed code (recorded by `record` in its transaction), as the provider takes the sign-in. */
  async newPasswordSignIn(account: Account, secondFactor: boolean): Promise<SignedIn> {
    return { accountId: await this.publicIdOf(account), amr: secondFactor ? ['pwd', 'otp', 'mfa'] : ['pwd'] };
  }

  /**
   * A passkey alone, discoverable, as 31 signs in without an mfa_token: it
   * proves possession and, user verification being required, the person.
   */
  async passkey(response: unknown, client: ClientInfo, appName: string): Promise<SignedIn> {
    const account = await this.passkeySignIn.checkSignIn(response, client);
    await this.transactions.run((tx) => this.record(tx, account, client, appName, true));
    return { accountId: await this.publicIdOf(account), amr: [await this.passkeyKind(response), 'user'] };
  }

  /** Request options for a passkey: that account's passkeys for a second step, discoverable ones otherwise. */
  passkeyOptions(step: LoginStep | null): Promise<unknown> {
    return this.passkeySignIn.options(step?.mfaToken);
  }

  /**
   * The sign-in, as its transaction records it: the account locked, still
   * active (disabled since its password was checked: refused as a wrong
   * password), still without two-step login when none was asked for (turned
   * on meanwhile: SecondStepNeeded, the second step after all), its last
   * sign-in and the event naming the app. Also run inside the transaction
   * that sets a password with a mailed code on the login pages.
   */
  async record(tx: EntityManager, account: Account, client: ClientInfo, appName: string, secondStepDone: boolean): Promise<void> {
    await this.users.lock(tx, account.id);
    if (!(await this.users.isActive(tx, account.id))) throw new AccountNotActiveError();
    if (!secondStepDone && (await this.factors.hasTwoStepLogin(account.id, tx))) throw new SecondStepNeeded();
    const at = Date.now();
    await this.users.recordSignIn(tx, account.id, at);
    await this.events.record(tx, account.id, SecurityEventType.OidcSignIn, client, at, appName);
  }

  private async publicIdOf(account: Account): Promise<string> {
    const publicId = await this.users.publicIdOf(account.id);
    if (!publicId) throw new AccountNotActiveError();
    return publicId;
  }

  /** RFC 8176: a passkey synced between devices is a software-held key, one bound to its device a hardware-held one. */
  private async passkeyKind(response: unknown): Promise<'hwk' | 'swk'> {
    const credentialId = credentialIdOf(response);
    const credential = credentialId === null ? null : await this.passkeys.findByCredentialId(credentialId);
    return credential?.backedUp ? 'swk' : 'hwk';
  }
}

/** The account stopped being active during the sign-in: answered as a wrong password. */
export class AccountNotActiveError extends Error {
  override name = 'AccountNotActiveError';
}
