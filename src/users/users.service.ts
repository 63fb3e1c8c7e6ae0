import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { PruneCutoffs, PruneTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { type ErasedAccount, type ErasesAccountData, type ExportsAccountData, isoTime } from './account-data.js';
import type { ExportedAccountDto } from './dto/exported-account.dto.js';
import { type EraseAlong, removeInactiveAccounts } from './inactive-accounts.js';
import { PasswordHasher } from './password/password-hasher.js';
import { UserEntity } from './user.entity.js';
import { UserStatus } from './user-status.js';

/** An account as the rest of the service sees it: everything but its password hash, which never leaves this module. */
export type Account = Omit<UserEntity, 'passwordHash'>;

/** What a password check found: the account, or nothing (and, for a wrong password of an active account, whose it was). */
export type PasswordCheck = { account: Account } | { account: null; wrongPasswordOf?: number };

const ACCOUNT_COLUMNS = { id: true, email: true, status: true, codeSentAt: true, createdAt: true, updatedAt: true } as const;

/** The only code that writes `users` (email, status, password hash, when the last code went out). */
@Injectable()
export class UsersService implements ErasesAccountData, ExportsAccountData<{ account: ExportedAccountDto }> {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly transactions: TransactionRunner,
  ) {}

  findByEmail(email: string, manager?: EntityManager): Promise<Account | null> {
    return (manager ?? this.users.manager).findOne(UserEntity, { select: ACCOUNT_COLUMNS, where: { email } });
  }

  findById(id: number): Promise<Account> {
    return this.users.findOneOrFail({ select: ACCOUNT_COLUMNS, where: { id } });
  }

  /** The account of `email`, created inactive if there is none. */
  async findOrCreateInactive(email: string): Promise<Account> {
    const found = await this.findByEmail(email);
    if (found) return found;
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
    return this.users.findOneOrFail({ select: ACCOUNT_COLUMNS, where: { email } });
  }

  /**
   * Takes the account's row lock for the rest of the transaction, on MySQL, so
   * that work on one account takes turns and every transaction locks the
   * account before its codes and tokens (one order, no deadlock with a
   * sweep that deletes accounts). SQLite's writes take turns already.
   */
  async lock(tx: EntityManager, userId: number): Promise<void> {
    if (tx.connection.options.type === 'mysql') await tx.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [userId]);
  }

  /**
   * Records that a code goes out now, unless one went out after `sentBefore`
   * (null: whenever the last one went). Of concurrent requests for one
   * account, exactly one gets true.
   */
  async takeCodeTurn(tx: EntityManager, userId: number, now: number, sentBefore: number | null): Promise<boolean> {
    const update = tx.createQueryBuilder().update(UserEntity).set({ codeSentAt: now, updatedAt: now }).where('id = :id', { id: userId });
    if (sentBefore !== null) update.andWhere('(code_sent_at IS NULL OR code_sent_at <= :sentBefore)', { sentBefore });
    return (await update.execute()).affected === 1;
  }

  /** Slow on purpose (argon2id): call it before the transaction that stores the result. */
  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  /** Activation or reset with a mailed code: the new password, and the account active. */
  async activate(tx: EntityManager, userId: number, passwordHash: string, at: number): Promise<void> {
    await tx.update(UserEntity, { id: userId }, { passwordHash, status: UserStatus.Active, updatedAt: at });
  }

  async changePassword(tx: EntityManager, userId: number, passwordHash: string, at: number): Promise<void> {
    await tx.update(UserEntity, { id: userId }, { passwordHash, updatedAt: at });
  }

  /**
   * The active account behind `email:password`. Unknown email, inactive
   * account and wrong password cost one argon2 verification each, so neither
   * the answer nor its timing tells them apart. A hash made with older
   * parameters is upgraded now that the password is known.
   */
  async checkPassword(email: string, password: string): Promise<PasswordCheck> {
    const user = await this.users.findOneBy({ email });
    const hash = user?.status === UserStatus.Active ? user.passwordHash : null;
    if (!(await this.hasher.verify(hash, password)) || !user || !hash) {
      return { account: null, ...(user && hash ? { wrongPasswordOf: user.id } : {}) };
    }
    if (this.hasher.needsRehash(hash)) {
      const upgraded = await this.hasher.hash(password);
      await this.transactions.run((tx) => tx.update(UserEntity, { id: user.id, passwordHash: hash }, { passwordHash: upgraded }));
    }
    const { passwordHash: _secret, ...account } = user;
    return { account };
  }

  async heldByActiveAccount(email: string): Promise<boolean> {
    return (await this.users.countBy({ email, status: UserStatus.Active })) > 0;
  }

  /**
   * Moves the account to `newEmail`, inside the caller's transaction; false
   * when another active account holds it. An account never activated that
   * holds it gives it up (the caller has proved the mailbox is theirs). Of two
   * accounts racing for it, the unique index lets one win.
   */
  async moveEmail(tx: EntityManager, userId: number, newEmail: string, at: number): Promise<boolean> {
    const holder = await tx.findOne(UserEntity, { select: { id: true, status: true }, where: { email: newEmail } });
    if (holder && holder.id !== userId) {
      if (holder.status === UserStatus.Active) return false;
      await tx.delete(UserEntity, { id: holder.id, status: UserStatus.Inactive });
    }
    await tx.update(UserEntity, { id: userId }, { email: newEmail, updatedAt: at });
    return true;
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(UserEntity, { id: userId });
  }

  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<{ account: ExportedAccountDto }> {
    const account = await tx.findOneOrFail(UserEntity, {
      select: { email: true, status: true, createdAt: true, updatedAt: true },
      where: { id: userId },
    });
    return {
      account: {
        email: account.email,
        status: account.status,
        created_at: isoTime(account.createdAt),
        updated_at: isoTime(account.updatedAt),
      },
    };
  }

  /** Accounts never activated, idle past INACTIVE_ACCOUNT_TTL; `eraseAlong` removes what others hold about them, in the same transaction. */
  pruneTasks(cutoffs: PruneCutoffs, eraseAlong: EraseAlong): PruneTask[] {
    return [
      {
        kind: 'inactiveAccounts',
        run: (stopped) =>
          removeInactiveAccounts(this.transactions.dataSource, this.transactions, cutoffs.inactiveAccountsIdleSince, eraseAlong, stopped),
      },
    ];
  }
}
