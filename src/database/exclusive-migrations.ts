import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type DataSource, MigrationExecutor } from 'typeorm';
import { isKeyTaken } from './driver-errors.js';

/** A holder that stops renewing (it crashed) frees the lock after this long. */
const LOCK_TTL_MS = 120_000;
/**
 * Renewed this often while migrations run. Generous against the TTL: on a
 * Galera cluster a schema change stalls writes cluster-wide while it runs.
 */
const RENEW_MS = 10_000;
const POLL_MS = 250;
const LOG_WAIT_EVERY_MS = 15_000;

const CREATE_LOCK_TABLE = {
  mysql:
    'CREATE TABLE IF NOT EXISTS `migration_lock` (`id` int NOT NULL, `holder` varchar(32) NOT NULL, `expires_at` bigint NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB',
  sqlite:
    'CREATE TABLE IF NOT EXISTS "migration_lock" ("id" integer PRIMARY KEY NOT NULL, "holder" varchar(32) NOT NULL, "expires_at" bigint NOT NULL)',
};

/**
 * Applies pending migrations when several instances start at once (a
 * rolling deploy, a scaled-out start on an empty database): exactly one
 * applies them, the others wait until it is done, none fails.
 *
 * The lock is a row in `migration_lock`, taken by inserting it. Not
 * GET_LOCK(): on a Galera cluster named locks only exclude sessions of the
 * same node. An insert of the same key on two nodes cannot commit on both
 * (the second fails certification or finds the key taken), on one server the
 * primary key decides, and SQLite has one writer. The holder renews the row
 * while it works; a holder that died leaves a row that expires.
 *
 * The pending migrations are read again once the lock is held: on a cluster
 * a node commits in the cluster's order, so by the time our insert commits,
 * everything the previous holder did is visible here.
 */
export async function runMigrationsExclusively(dataSource: DataSource, logger = new Logger('Migrations')): Promise<void> {
  const dialect = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
  await dataSource.query(CREATE_LOCK_TABLE[dialect]);
  const executor = new MigrationExecutor(dataSource);
  const holder = randomBytes(12).toString('hex');
  const started = Date.now();
  let lastLog = started;
  for (;;) {
    if ((await executor.getPendingMigrations()).length === 0) return;
    if (await tryLock(dataSource, holder)) break;
    if (Date.now() - lastLog >= LOG_WAIT_EVERY_MS) {
      lastLog = Date.now();
      logger.log(`waiting ${Math.round((lastLog - started) / 1000)} s for another instance to finish migrating`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const renew = setInterval(() => {
    void dataSource
      .query('UPDATE migration_lock SET expires_at = ? WHERE id = 1 AND holder = ?', [Date.now() + LOCK_TTL_MS, holder])
      .catch(() => undefined);
  }, RENEW_MS);
  try {
    const applied = await dataSource.runMigrations();
    if (applied.length > 0) logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
  } finally {
    clearInterval(renew);
    await dataSource.query('DELETE FROM migration_lock WHERE id = 1 AND holder = ?', [holder]).catch(() => undefined);
  }
}

async function tryLock(dataSource: DataSource, holder: string): Promise<boolean> {
  const now = Date.now();
  // A lock whose holder stopped renewing it is free.
  await dataSource.query('DELETE FROM migration_lock WHERE id = 1 AND expires_at < ?', [now]).catch(() => undefined);
  try {
    await dataSource.query('INSERT INTO migration_lock (id, holder, expires_at) VALUES (1, ?, ?)', [holder, now + LOCK_TTL_MS]);
    return true;
  } catch (error) {
    // Taken by someone else: the key exists (here, or on another node first).
    if (isKeyTaken(error)) return false;
    throw error;
  }
}
