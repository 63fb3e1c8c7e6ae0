import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Not, type Repository } from 'typeorm';
import type { PruneCutoffs, PruneTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { type ErasedAccount, type ErasesAccountData, type ExportsAccountData, isoTime } from './account-data.js';
import type { ExportedAccountDto } from './dto/exported-account.dto.js';
import { type EraseAlong, removeInactiveAccounts } from './inactive-accounts.js';
import { PasswordHasher } from './password/password-hasher.js';
import { UserEntity } from './user.entity.js';
import { UserStatus } from './user-status.js';

/** An account as the rest of the service sees it: everything but its password hash, which never leaves this module. */
export type Account = Omit<UserEntity, 'passwordHash' | 'publicId'>;

/** What a password check found: the account, or nothing (and, for a wrong password of an active account, whose it was). */
export type PasswordCheck = { account: Account } | { account: null; wrongPasswordOf?: number };

const ACCOUNT_COLUMNS = {
  id: true,
  email: true,
  status: true,
  codeSentAt: true,
  lastSignInAt: true,
  activatedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** What an operator's list of accounts filters on; `afterId` is where the previous page ended. */
export interface AccountQuery {
  emailPrefix?: string;
  status?: UserStatus;
  afterId?: number;
  limit: number;
}

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

  /** The account of that id, or null; pass the manager of an open transaction to read inside it. */
  findAccount(id: number, manager?: EntityManager): Promise<Account | null> {
    return (manager ?? this.users.manager).findOne(UserEntity, { select: ACCOUNT_COLUMNS, where: { id } });
  }

  /** The account whose public id (its OpenID `sub`) this is, or null. */
  findByPublicId(publicId: string): Promise<Account | null> {
    if (!/^[0-9a-f]{32}$/.test(publicId)) return Promise.resolve(null);
    return this.users.findOne({ select: ACCOUNT_COLUMNS, where: { publicId } });
  }

  /**
   * The account's public id, given one now if it has none yet (a row made
   * by a tool); null when there is no such account. Inside the caller's
   * transaction when given one. Of concurrent first calls one writes, all
   * read back the same id.
   */
  async publicIdOf(userId: number, manager?: EntityManager): Promise<string | null> {
    const read = async (tx: EntityManager) =>
      (await tx.findOne(UserEntity, { select: { id: true, publicId: true }, where: { id: userId } }))?.publicId;
    const known = await read(manager ?? this.users.manager);
    if (known !== null) return known ?? null;
    const assign = async (tx: EntityManager) => {
      await tx.update(UserEntity, { id: userId, publicId: IsNull() }, { publicId: newPublicId() });
      return (await read(tx)) ?? null;
    };
    return manager ? assign(manager) : this.transactions.run(assign);
  }

  /**
   * A page of accounts in id order, for operators. Ordered by the primary
   * key and continued after the last id seen, so a page never repeats or
   * skips an account when others are created or removed meanwhile. The
   * prefix is a range on the unique email index (`>= prefix AND < prefix
   * with its last character incremented`), not a LIKE with wildcards to escape.
   */
  async list({ emailPrefix, status, afterId, limit }: AccountQuery): Promise<Account[]> {
    const query = this.users.createQueryBuilder('users').select(Object.keys(ACCOUNT_COLUMNS).map((column) => `users.${column}`));
    if (emailPrefix) {
      query.andWhere('users.email >= :from AND users.email < :to', { from: emailPrefix, to: prefixEnd(emailPrefix) });
    }
    if (status) query.andWhere('users.status = :status', { status });
    if (afterId !== undefined) query.andWhere('users.id > :afterId', { afterId });
    return query.orderBy('users.id', 'ASC').take(limit).getMany();
  }

  /**
   * Operator: refuses the account everywhere from the next request on (the
   * token check, logins and every password check read the status). Answers
   * whether it changed.
   */
  async disable(tx: EntityManager, userId: number, at: number): Promise<boolean> {
    const result = await tx.update(
      UserEntity,
      { id: userId, status: Not(UserStatus.Disabled) },
      { status: UserStatus.Disabled, updatedAt: at },
    );
    return result.affected === 1;
  }

  /**
   * Operator: lifts a disable. An account that had been activated is active
   * again (with its password, if it has one: an account made by a sign-in
   * with another provider may have none); one never activated is back to
   * waiting for its activation code. Answers the status it is back to, or
   * null when it was not disabled.
   */
  async enable(tx: EntityManager, userId: number, at: number): Promise<UserStatus | null> {
    const where = { id: userId, status: UserStatus.Disabled };
    const active = await tx.update(UserEntity, { ...where, activatedAt: Not(IsNull()) }, { status: UserStatus.Active, updatedAt: at });
    if (active.affected === 1) return UserStatus.Active;
    const inactive = await tx.update(UserEntity, where, { status: UserStatus.Inactive, updatedAt: at });
    return inactive.affected === 1 ? UserStatus.Inactive : null;
  }

  /**
   * Whether the account has a password. An active account may have none
   * (made by a sign-in with another provider): then it cannot sign in with
   * a password, and what asks for the password again asks for a recent
   * sign-in instead.
   */
  async hasPassword(userId: number, manager?: EntityManager): Promise<boolean> {
    return (await (manager ?? this.users.manager).countBy(UserEntity, { id: userId, passwordHash: Not(IsNull()) })) > 0;
  }

  /** Whether the account is active, read inside the caller's transaction (after `lock`, as it now stands). */
  async isActive(tx: EntityManager, userId: number): Promise<boolean> {
    return (await tx.countBy(UserEntity, { id: userId, status: UserStatus.Active })) > 0;
  }

  /** A token was issued to the account (inside the issuing transaction): shown to operators as its last sign-in. */
  async recordSignIn(tx: EntityManager, userId: number, at: number): Promise<void> {
    await tx.update(UserEntity, { id: userId }, { lastSignInAt: at });
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
        .values({
          email,
          publicId: newPublicId(),
          status: UserStatus.Inactive,
          passwordHash: null,
          codeSentAt: null,
          createdAt: now,
          updatedAt: now,
        })
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
   * Writes the account's row (its `updated_at`) inside the caller's
   * transaction, for a change kept in another table that a racing login
   * must not miss (two-step login turned on). A login writes the row too
   * (`recordSignIn`): on one server the row lock orders the two; on a Galera
   * cluster, where `lock` holds on one node only, the two writes conflict at
   * certification and the loser runs again, seeing the change.
   */
  async markChanged(tx: EntityManager, userId: number, at: number): Promise<void> {
    await tx.update(UserEntity, { id: userId }, { updatedAt: at });
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

  /**
   * Activation or reset with a mailed code: the new password, and the
   * account active. Never an account an operator disabled (false then): a
   * code is no way around that.
   */
  async activate(tx: EntityManager, userId: number, passwordHash: string, at: number): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(UserEntity)
      // A number, written into the statement as digits.
      .set({ passwordHash, status: UserStatus.Active, updatedAt: at, activatedAt: () => `COALESCE(activated_at, ${Math.trunc(at)})` })
      .where('id = :userId AND status <> :disabled', { userId, disabled: UserStatus.Disabled })
      .execute();
    return result.affected === 1;
  }

  /**
   * Activation without a password: a provider the operator trusts says the
   * address is verified, which proves the mailbox as a mailed code does.
   * Only an account never activated; true when it now is active.
   */
  async activateWithoutPassword(tx: EntityManager, userId: number, at: number): Promise<boolean> {
    const result = await tx.update(
      UserEntity,
      { id: userId, status: UserStatus.Inactive },
      { status: UserStatus.Active, activatedAt: at, updatedAt: at },
    );
    return result.affected === 1;
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

  /** Whether an account other than one never activated holds the address: an active one, or one an operator disabled. */
  async heldByActiveAccount(email: string): Promise<boolean> {
    return (await this.users.countBy({ email, status: Not(UserStatus.Inactive) })) > 0;
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
      if (holder.status !== UserStatus.Inactive) return false;
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

/** An account's public id: 128 random bits, nothing derived from the account. */
function newPublicId(): string {
  return randomBytes(16).toString('hex');
}

/** The first string past every string that starts with `prefix`: its last code unit incremented. */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
