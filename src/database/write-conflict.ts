/** InnoDB chose this transaction as a deadlock victim; on Galera also: it lost certification to a write from another node. */
export const ER_LOCK_DEADLOCK = 1213;
/** A lock was not granted within innodb_lock_wait_timeout; the transaction is rolled back before it is tried again. */
export const ER_LOCK_WAIT_TIMEOUT = 1205;

/** Tries of one unit of work after deadlocks / certification failures, which are over in milliseconds. */
export const MAX_TRIES = 6;
/**
 * Tries after lock wait timeouts: each already waited innodb_lock_wait_timeout,
 * so one more try at most, or the request's time would no longer be bounded.
 */
export const MAX_TRIES_AFTER_LOCK_WAIT = 2;
const FIRST_BACKOFF_MS = 8;
const MAX_BACKOFF_MS = 250;

/**
 * Whether the error means "another transaction got there first" rather than
 * "this cannot work": the whole unit of work is rolled back, so it can be run
 * again from the start. TypeORM wraps the driver's error as `driverError`.
 */
export function isWriteConflict(error: unknown): boolean {
  return conflictErrno(error) !== null;
}

/** How many tries a unit of work that failed so gets in all, 1 for any other error. */
export function triesAllowed(error: unknown): number {
  const errno = conflictErrno(error);
  if (errno === ER_LOCK_DEADLOCK) return MAX_TRIES;
  if (errno === ER_LOCK_WAIT_TIMEOUT) return MAX_TRIES_AFTER_LOCK_WAIT;
  return 1;
}

function conflictErrno(error: unknown): number | null {
  const candidate = error as { errno?: unknown; driverError?: { errno?: unknown } } | null;
  const errno = candidate?.errno ?? candidate?.driverError?.errno;
  return errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT ? errno : null;
}

/**
 * Wait before try n+1 (n ≥ 1): "full jitter" over a doubling ceiling, so
 * transactions that collided once spread out instead of colliding again.
 */
export function conflictBackoffMs(tries: number, random = Math.random): number {
  return Math.round(random() * Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** tries));
}
