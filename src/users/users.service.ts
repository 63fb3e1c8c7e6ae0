import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import { InvalidFieldsError, TooManyRequestsError } from '../common/api-error.js';
import { TransactionRunner } from '../database/transaction-runner.js';
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
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly codes: ValidationCodesService,
    private readonly tokens: AccessTokensService,
    private readonly hasher: PasswordHasher,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Creates the account if new and mails it a code; an active account is refused. */
  async register(email: string): Promise<AccountStatusDto> {
    const user = (await this.users.findOneBy({ email })) ?? (await this.createInactive(email));
    if (user.status === UserStatus.Active) throw new UnprocessableEntityException(EMAIL_USED_MESSAGE);
    await this.codes.issue(user);
    return { email: user.email, status: UserStatus.Inactive };
  }

  /** Resend and password recovery: the same answer whether or not the account exists. */
  async requestCode(email: string): Promise<{ message: string }> {
    const user = await this.users.findOneBy({ email });
    if (user) {
      try {
        await this.codes.issue(user);
      } catch (error) {
        // Saying "too many" would tell that the account exists.
        if (!(error instanceof TooManyRequestsError)) throw error;
      }
    }
    return { message: CODE_SENT_MESSAGE };
  }

  async checkCode(email: string, code: string): Promise<{ message: string }> {
    const user = await this.users.findOneBy({ email });
    if (!user || !(await this.codes.check(user.id, code))) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
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
    if (!(await this.codes.check(user.id, code))) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
    const passwordHash = await this.hasher.hash(password);
    const accessToken = await this.transactions.run(async (tx) => {
      if (!(await this.codes.consume(tx, user.id, code))) return null;
      await tx.update(UserEntity, { id: user.id }, { passwordHash, status: UserStatus.Active, updatedAt: Date.now() });
      await this.tokens.revokeAll(user.id, tx);
      return this.tokens.issue(user.id, tx);
    });
    if (!accessToken) throw new UnprocessableEntityException(INVALID_CODE_MESSAGE);
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
        .execute(),
    );
    return this.users.findOneByOrFail({ email });
  }
}
