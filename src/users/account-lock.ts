import type { EntityManager } from 'typeorm';

/**
 * Takes the account's row lock for the rest of the transaction, on MySQL, so
 * that work on one account takes turns and every transaction locks the
 * account before its codes and tokens (one order, no deadlock with a
 * sweep that deletes accounts). SQLite's writes take turns already.
 */
export async function lockAccount(tx: EntityManager, userId: number): Promise<void> {
  if (tx.connection.options.type === 'mysql') await tx.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [userId]);
}
