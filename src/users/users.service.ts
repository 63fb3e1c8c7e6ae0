import { Inject, Injectable, Logger, type OnApplicationShutdown, UnprocessableEntityException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import { InvalidFieldsError, TooManyRequestsError } from '../common/api-error.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { lockAccount } from './account-lock.js';
import type { AccountStatusDto, ActivatedAccountDto } from './dto/register.dto.js';
import type { SetPasswordDto } from './dto/validation-code.dto.js';
import { passwordProblem } from './password-policy.js';
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
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly codes: ValidationCodesService,
    private readonly tokens: AccessTokensService,
    private readonly hasher: PasswordHasher,
    private readonly transactions: TransactionRunner,
    private readonly limiter: RateLimiter,
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
    const valid = await this.countingCodeFailures(email, async () => user !== null && (await this.codes.check(user.id, code)));
    if (!valid) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    return { message: 'Valid code' };
  }

  /**
   * Activation and password reset: the code is consumed, the password set,
   * every older token revoked and a new one issued, all in one transaction.
   */
  async setPassword({ email, validation_code: code, password }: SetPasswordDto): Promise<ActivatedAccountDto> {
    const user = await this.users.findOneBy({ email });
    if (!user) throw new UnprocessableEntityException(NO_USER_MESSAGE);
    const problem = passwordProblem(password, email);
    if (problem) throw new InvalidFieldsError([{ field: 'password', message: problem }]);
    // Cheap check first, so wrong codes never cost a password hash.
    if (!(await this.countingCodeFailures(email, () => this.codes.check(user.id, code)))) {
      throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    }
    const passwordHash = await this.hasher.hash(password);
    const accessToken = await this.transactions.run(async (tx) => {
      await lockAccount(tx, user.id);
      if (!(await this.codes.consume(tx, user.id, code))) return null;
      await tx.update(UserEntity, { id: user.id }, { passwordHash, status: UserStatus.Active, updatedAt: Date.now() });
      await this.tokens.revokeAll(user.id, tx);
      return this.tokens.issue(user.id, tx);
    });
    if (!accessToken) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    return { email: user.email, status: UserStatus.Active, access_token: accessToken };
  }

  /**
   * Failed code checks count per account over a window that a new code does
   * not reset (429 past it); a successful check does not count.
   */
  private countingCodeFailures(email: string, check: () => Promise<boolean>): Promise<boolean> {
    return this.limiter.attempt(
      [{ bucket: `code:account:${email}`, rule: this.config.limits.codeFailuresPerAccount }],
      'Too many wrong codes, please retry later',
      check,
    );
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
