import { ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT, writeConflictOf } from './driver-errors.js';

/** How long a query may wait for a connection or a lock before the request fails with 503. */
export const DB_WAIT_MS = 5000;

/** Tries of one unit of work after deadlocks / certification failures, which are over in milliseconds. */
export const MAX_TRIES = 6;
/**
 * Tries after lock wait timeouts: each already waited innodb_lock_wait_timeout,
 * so one more try at most, or the request's time would no longer be bounded.
 */
export const MAX_TRIES_AFTER_LOCK_WAIT = 2;
const FIRST_BACKOFF_MS = 8;
const MAX_BACKOFF_MS = 250;

/** How many tries a unit of work that failed so gets in all, 1 for any other error. */
export function triesAllowed(error: unknown): number {
  const conflict = writeConflictOf(error);
  if (conflict === ER_LOCK_DEADLOCK) return MAX_TRIES;
  if (conflict === ER_LOCK_WAIT_TIMEOUT) return MAX_TRIES_AFTER_LOCK_WAIT;
  return 1;
}

/**
 * Wait before try n+1 (n ≥ 1): "full jitter" over a doubling ceiling, so
 * transactions that collided once spread out instead of colliding again.
 */
export function conflictBackoffMs(tries: number, random = Math.random): number {
  return Math.round(random() * Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** tries));
}
