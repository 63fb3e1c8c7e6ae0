import type { EntityManager } from 'typeorm';

/*
 * What every module that holds data about an account does for the
 * account-wide operations: erase it with the account, and give its part of
 * the account's export. Both run inside the caller's transaction, so that
 * deletion and export are one consistent whole over every owner.
 */

/** The account being erased: its id, its address, and every address mail went to for it. */
export interface ErasedAccount {
  userId: number;
  email: string;
  /** The account's address and that of an email change under way. */
  addresses: string[];
}

/** Work to do once the erasing transaction has committed (bytes outside the database); it must not throw. */
export type AfterErasure = () => Promise<void>;

export interface ErasesAccountData {
  /** Erases what it holds about the account, inside the caller's transaction. */
  eraseAccount(tx: EntityManager, account: ErasedAccount): Promise<AfterErasure | void>;
}

/** Whose export is being made: the account, and the session asking (shown as the current one). */
export interface ExportSubject {
  userId: number;
  tokenId: number;
}

export interface ExportsAccountData<Part extends object> {
  /** Its part of the export, one key of the document, read inside the caller's transaction. */
  exportAccount(tx: EntityManager, subject: ExportSubject): Promise<Part>;
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();
