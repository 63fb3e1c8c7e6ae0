import { Injectable, Logger, type OnApplicationShutdown, UnprocessableEntityException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import { InvalidFieldsError, TooManyRequestsError } from '../common/api-error.js';
import type { ClientInfo } from '../common/client-info.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { buildNoticeMail, NOTICE_MAIL_PURPOSE } from '../mail/notice-mail.js';
import { SecurityEventType } from '../security-events/security-event.entity.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { lockAccount } from './account-lock.js';
import type { AccountStatusDto, ActivatedAccountDto } from './dto/register.dto.js';
import type { SetPasswordDto } from './dto/validation-code.dto.js';
import { passwordProblem } from './password-policy.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { UserEntity, UserStatus } from './user.entity.js';
import { ValidationCodesService } from './validation-codes.service.js';

export const EMAIL_USED_MESSAGE = 'Email already used';
export const NO_USER_MESSAGE = 'User not exist';
export const INVALID_CODE_MESSAGE = 'Invalid code';
export const CODE_SENT_MESSAGE = 'If the account exists, a code has been sent';

@Injectable()
export class UsersService implements OnApplicationShutdown {
  private readonly logger = new Logger('Users');
  /** Code requests still being handled after their answer went out. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly codes: ValidationCodesService,
    private readonly tokens: AccessTokensService,
    private readonly hasher: PasswordHasher,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly mail: MailOutbox,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Creates the account if new and mails it a code; an active account is refused. */
  async register(email: string, address: string): Promise<AccountStatusDto> {
    const user = (await this.users.findOneBy({ email })) ?? (await this.createInactive(email));
    if (user.status === UserStatus.Active) throw new UnprocessableEntityException(EMAIL_USED_MESSAGE);
    await this.codes.issue(user, address);
    return { email: user.email, status: UserStatus.Inactive };
  }

  /**
   * Resend and password recovery. The answer goes out before any lookup, so
   * neither its body nor its timing tells whether the account exists; limits
   * apply silently for the same reason.
   */
  requestCode(email: string, address: string): { message: string } {
    const work = this.users
      .findOneBy({ email })
      .then((user) => (user ? this.codes.issue(user, address) : undefined))
      .then(
        () => undefined,
        (error: Error) => {
          if (!(error instanceof TooManyRequestsError)) this.logger.warn(`code request not handled: ${error.name}: ${error.message}`);
        },
      );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return { message: CODE_SENT_MESSAGE };
  }

  async checkCode(email: string, code: string): Promise<{ message: string }> {
    const user = await this.users.findOneBy({ email });
    const valid = await this.codes.countingFailures(email, async () => user !== null && (await this.codes.check(user.id, code)));
    if (!valid) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    return { message: 'Valid code' };
  }

  /**
   * Activation and password reset: the code is consumed, the password set,
   * every older token revoked and a new one issued, all in one transaction;
   * a reset is also recorded and the owner told by mail.
   */
  async setPassword({ email, validation_code: code, password }: SetPasswordDto, client: ClientInfo): Promise<ActivatedAccountDto> {
    const user = await this.users.findOneBy({ email });
    if (!user) throw new UnprocessableEntityException(NO_USER_MESSAGE);
    const problem = passwordProblem(password, email);
    if (problem) throw new InvalidFieldsError([{ field: 'password', message: problem }]);
    // Cheap check first, so wrong codes never cost a password hash.
    if (!(await this.codes.countingFailures(email, () => this.codes.check(user.id, code)))) {
      throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    }
    const passwordHash = await this.hasher.hash(password);
    const reset = user.status === UserStatus.Active;
    const accessToken = await this.transactions.run(async (tx) => {
      await lockAccount(tx, user.id);
      if (!(await this.codes.consume(tx, user.id, code))) return null;
      const now = Date.now();
      await tx.update(UserEntity, { id: user.id }, { passwordHash, status: UserStatus.Active, updatedAt: now });
      await this.tokens.revokeAll(user.id, tx);
      await this.events.record(tx, user.id, reset ? SecurityEventType.PasswordReset : SecurityEventType.PasswordSet, client, now);
      await this.webhooks.enqueue(tx, {
        type: reset ? 'user.password_changed' : 'user.activated',
        userId: user.id,
        data: { email: user.email },
      });
      if (reset) {
        await this.mail.enqueue(
          tx,
          user.email,
          NOTICE_MAIL_PURPOSE,
          buildNoticeMail('password_reset', { email: user.email, at: now, client }),
        );
      }
      return this.tokens.issue(user.id, tx, client);
    });
    if (!accessToken) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    if (reset) this.mail.notifyQueued();
    return { email: user.email, status: UserStatus.Active, access_token: accessToken };
  }

  private async createInactive(email: string): Promise<UserEntity> {
    const now = Date.now();
    // INSERT … IGNORE: when concurrent sign-ups race, one row wins and all read it back.
    await this.transactions.run((tx) =>
      tx
        .createQueryBuilder()
        .insert()
        .into(UserEntity)
        .values({ email, status: UserStatus.Inactive, passwordHash: null, codeSentAt: null, createdAt: now, updatedAt: now })
        .orIgnore()
        // An ignored insert has no id to read back (MySQL has no RETURNING): do not try.
        .updateEntity(false)
        .execute(),
    );
    return this.users.findOneByOrFail({ email });
  }
}
