import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { normalizeEmail } from '../common/email.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { UserEntity, UserStatus } from '../users/user.entity.js';
import { PasswordHasher } from './password-hasher.js';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * The active account behind `email:password`, or null. Unknown email,
   * inactive account and wrong password cost one argon2 verification each,
   * so neither the answer nor its timing tells them apart.
   */
  async verifyPassword(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.users.findOneBy({ email: normalizeEmail(email) });
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
