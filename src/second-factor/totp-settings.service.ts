import { ConflictException, Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessTokensService, type TokenPrincipal } from '../auth/access-tokens.service.js';
import { AccountSignOuts } from '../auth/account-sign-outs.js';
import { AuthService, WRONG_PASSWORD_MESSAGE } from '../auth/auth.service.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, type NoticeKind, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { UsersService } from '../users/users.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import type { RecoveryCodesDto, TotpEnrolmentDto } from './dto/totp.dto.js';
import { PendingLogins } from './pending-logins.service.js';
import { ALREADY_ENABLED_MESSAGE, NOT_ENABLED_MESSAGE } from './second-factor-messages.js';
import { SecondFactorPolicy } from './second-factor-policy.service.js';
import { type SecondFactorProof, SecondFactorStore } from './second-factor-store.service.js';
import { generateTotpSecret, matchingStep, otpauthUri, toBase32 } from './totp.js';

const invalidCode = () => new UnprocessableEntityException(INVALID_CODE_MESSAGE);

/**
 * What an owner does with their second factor (24–27). Every change asks
 * for the password again (a borrowed unlocked phone is not enough) and,
 * once two-step login is on, a code too; each is recorded, announced to
 * relying services and told by mail in the transaction that makes it.
 */
@Injectable()
export class TotpSettingsService {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly factors: SecondFactorStore,
    private readonly policy: SecondFactorPolicy,
    private readonly pending: PendingLogins,
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly tokens: AccessTokensService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly mail: MailOutbox,
    private readonly webhooks: WebhookOutbox,
    private readonly signOuts: AccountSignOuts,
  ) {}

  /** A new secret, pending until a code from it confirms it (within 10 minutes); an older pending one is replaced. */
  async start({ user }: TokenPrincipal, password: string, client: ClientInfo): Promise<TotpEnrolmentDto> {
    await this.confirmPassword(user.email, password, client);
    const secret = generateTotpSecret();
    if (!(await this.factors.startEnrolment(user.id, secret))) throw new ConflictException(ALREADY_ENABLED_MESSAGE);
    const base32 = toBase32(secret);
    return { secret: base32, otpauth_uri: otpauthUri(this.config.totpIssuer, user.email, base32) };
  }

  /**
   * The first code from the app turns two-step login on: recovery codes are
   * made, and every other session is signed out (they were opened with the
   * password alone).
   */
  async confirm(principal: TokenPrincipal, code: string, client: ClientInfo): Promise<RecoveryCodesDto> {
    const { user } = principal;
    const factor = await this.factors.factorOf(user.id);
    if (factor?.enabled) throw new ConflictException(ALREADY_ENABLED_MESSAGE);
    const now = Date.now();
    const matched = await this.auth.underLoginLimits(user.email, client, async () => {
      if (!factor || factor.pendingExpiresAt === null || factor.pendingExpiresAt <= now) return null;
      const step = matchingStep(factor.secret, code, now, factor.lastUsedStep);
      return step === null ? null : { step, pendingExpiresAt: factor.pendingExpiresAt };
    });
    if (!matched) throw invalidCode();
    const recoveryCodes = await this.transactions.run(async (tx) => {
      await this.users.lock(tx, user.id);
      // A login racing this one on another cluster node conflicts with it here and runs again: it cannot miss the change.
      await this.users.markChanged(tx, user.id, now);
      if (!(await this.factors.enable(tx, user.id, matched.step, now, matched.pendingExpiresAt))) throw invalidCode();
      const codes = await this.factors.replaceRecoveryCodes(tx, user.id);
      await this.tokens.revokeAllBut(tx, user.id, principal.tokenId);
      await this.pending.abandonAll(tx, user.id);
      await this.announce(tx, user, 'second_factor_enabled', client);
      return codes;
    });
    return { recovery_codes: recoveryCodes };
  }

  /**
   * Two-step login off: the factor and its recovery codes are removed,
   * logins waiting for a second step abandoned, and the account's sign-ins
   * elsewhere (at the OpenID Provider) ended, as turning it on ends them;
   * its access tokens stay.
   */
  async disable(principal: TokenPrincipal, password: string, code: string | undefined, client: ClientInfo): Promise<void> {
    const { user } = principal;
    const proof = await this.confirmBoth(user, password, code, client);
    await this.transactions.run(async (tx) => {
      await this.users.lock(tx, user.id);
      await this.policy.useUp(tx, user, proof, client, false);
      await this.factors.remove(tx, user.id);
      await this.signOuts.signOut(tx, user.id);
      await this.announce(tx, user, 'second_factor_disabled', client);
    });
  }

  /** A new set of ten recovery codes; the old set no longer works. */
  async renewRecoveryCodes(
    principal: TokenPrincipal,
    password: string,
    code: string | undefined,
    client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    const { user } = principal;
    const proof = await this.confirmBoth(user, password, code, client);
    const recoveryCodes = await this.transactions.run(async (tx) => {
      await this.users.lock(tx, user.id);
      await this.policy.useUp(tx, user, proof, client);
      const codes = await this.factors.replaceRecoveryCodes(tx, user.id);
      await this.events.record(tx, user.id, SecurityEventType.RecoveryCodesRenewed, client);
      return codes;
    });
    return { recovery_codes: recoveryCodes };
  }

  private async confirmPassword(email: string, password: string, client: ClientInfo): Promise<void> {
    if (!(await this.auth.confirmPassword(email, password, client))) throw new UnprocessableEntityException(WRONG_PASSWORD_MESSAGE);
  }

  /** The password, then (two-step login being on, or 409) a code: the proof to use up in the change's transaction. */
  private async confirmBoth(
    user: TokenPrincipal['user'],
    password: string,
    code: string | undefined,
    client: ClientInfo,
  ): Promise<SecondFactorProof> {
    await this.confirmPassword(user.email, password, client);
    if (!(await this.factors.hasTwoStepLogin(user.id))) throw new ConflictException(NOT_ENABLED_MESSAGE);
    return this.policy.checkCode(user, code, client);
  }

  /** The security event, the webhook and the notice of two-step login turned on or off. */
  private async announce(
    tx: EntityManager,
    user: TokenPrincipal['user'],
    kind: Extract<NoticeKind, 'second_factor_enabled' | 'second_factor_disabled'>,
    client: ClientInfo,
  ): Promise<void> {
    const at = Date.now();
    const enabled = kind === 'second_factor_enabled';
    await this.events.record(
      tx,
      user.id,
      enabled ? SecurityEventType.SecondFactorEnabled : SecurityEventType.SecondFactorDisabled,
      client,
      at,
    );
    await this.webhooks.enqueue(tx, {
      type: enabled ? 'user.mfa_enabled' : 'user.mfa_disabled',
      userId: user.id,
      data: { email: user.email },
    });
    await this.mail.enqueue(tx, user.email, NOTICE_MAIL_PURPOSE, buildNoticeMail(kind, { email: user.email, at, client }));
  }
}
