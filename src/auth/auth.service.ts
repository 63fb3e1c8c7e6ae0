import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TooManyRequestsError } from '../common/api-error.js';
import { normalizeEmail } from '../common/email.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { Metrics } from '../metrics/metrics.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { UserEntity, UserStatus } from '../users/user.entity.js';
import { PasswordHasher } from './password-hasher.js';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly transactions: TransactionRunner,
    private readonly limiter: RateLimiter,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly metrics: Metrics,
  ) {}

  /**
   * The active account behind `email:password`, or null. Unknown email,
   * inactive account and wrong password cost one argon2 verification each,
   * so neither the answer nor its timing tells them apart. Failures count
   * against the account, the client address and both together (429 past
   * the limits); a success does not count.
   */
  async verifyPassword(email: string, password: string, address: string): Promise<UserEntity | null> {
    const account = normalizeEmail(email);
    const { limits } = this.config;
    try {
      const user = await this.limiter.attempt(
        [
          { bucket: `login:account+address:${account} ${address}`, rule: limits.loginFailuresPerAccountAndAddress },
          { bucket: `login:account:${account}`, rule: limits.loginFailuresPerAccount },
          { bucket: `login:address:${address}`, rule: limits.loginFailuresPerAddress },
        ],
        'Too many failed logins, please retry later',
        () => this.check(account, password),
      );
      this.metrics.login(user ? 'success' : 'failure');
      return user;
    } catch (error) {
      if (error instanceof TooManyRequestsError) this.metrics.login('rate_limited');
      throw error;
    }
  }

  private async check(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.users.findOneBy({ email });
    const hash = user?.status === UserStatus.Active ? user.passwordHash : null;
    if (!(await this.hasher.verify(hash, password)) || !user || !hash) return null;
    if (this.hasher.needsRehash(hash)) {
      // Parameters changed since this hash was made: upgrade it now that we know the password.
      const upgraded = await this.hasher.hash(password);
      await this.transactions.run((tx) => tx.update(UserEntity, { id: user.id, passwordHash: hash }, { passwordHash: upgraded }));
    }
    return user;
  }
}
