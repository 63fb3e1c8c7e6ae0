/** The driver's error code of a failed query, wrapped by TypeORM or not. */
function driverCode(error: unknown): string | undefined {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  const inner = driverError?.code;
  return typeof inner === 'string' ? inner : typeof code === 'string' ? code : undefined;
}

/** A write refused by a unique index (SQLite or MySQL). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** InnoDB chose this transaction as a deadlock victim: running it again is safe. */
export function isDeadlock(error: unknown): boolean {
  return driverCode(error) === 'ER_LOCK_DEADLOCK';
}
