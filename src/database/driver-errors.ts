/*
 * What a failed query means, from the driver's own error (mysql2's `code`
 * and `errno`, better-sqlite3's `code`), whether TypeORM wrapped it as
 * `driverError` or not. The one place that knows driver error codes.
 */

/** InnoDB chose this transaction as a deadlock victim; on Galera also: it lost certification to a write from another node. */
export const ER_LOCK_DEADLOCK = 1213;
/** A lock was not granted within innodb_lock_wait_timeout; the transaction is rolled back before it is tried again. */
export const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_DUP_ENTRY = 1062;

// Driver error codes that mean "the database is not reachable right now".
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
  'ER_CONNECTION_KILLED',
  // A Galera node cut off from the cluster's majority refuses queries until it rejoins.
  'ER_UNKNOWN_COM_ERROR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
]);
// mysql2's pool says so in words only.
const UNAVAILABLE_MESSAGES = /Pool is closed|Queue limit reached|connect ETIMEDOUT|Connection lost/i;

interface Layer {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  driverError?: unknown;
}

/** The error and the driver errors it wraps, outermost first (a few levels at most). */
function layers(error: unknown): Layer[] {
  const found: Layer[] = [];
  for (let layer = error as Layer | undefined; layer && typeof layer === 'object' && found.length < 3; layer = layer.driverError as Layer) {
    found.push(layer);
  }
  return found;
}

/** The innermost error code and errno the driver gave. */
function driverCodes(error: unknown): { code: string; errno: number | undefined } {
  let code = '';
  let errno: number | undefined;
  for (const layer of layers(error)) {
    if (typeof layer.code === 'string') code = layer.code;
    if (typeof layer.errno === 'number') errno = layer.errno;
  }
  return { code, errno };
}

/** A write refused by a unique index or primary key (SQLite or MySQL). */
export function isUniqueViolation(error: unknown): boolean {
  const { code, errno } = driverCodes(error);
  return (
    errno === ER_DUP_ENTRY || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** InnoDB chose this transaction as a deadlock victim, or on Galera it lost certification: running it again is safe. */
export function isDeadlock(error: unknown): boolean {
  return driverCodes(error).errno === ER_LOCK_DEADLOCK;
}

/**
 * "Another transaction got there first" rather than "this cannot work" (a
 * deadlock, a lost certification, a lock wait timeout): the whole unit of
 * work was rolled back and may run again. The errno when so, else null.
 */
export function writeConflictOf(error: unknown): typeof ER_LOCK_DEADLOCK | typeof ER_LOCK_WAIT_TIMEOUT | null {
  const { errno } = driverCodes(error);
  return errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT ? errno : null;
}

/**
 * SQLite refused a write at once because another process holds the file's
 * writer, or committed since this transaction read (SQLITE_BUSY,
 * SQLITE_BUSY_SNAPSHOT): a transaction that read first cannot wait for the
 * writer without risking a deadlock, so SQLite does not call the busy
 * handler. Running the whole transaction again is safe.
 */
export function isSqliteBusy(error: unknown): boolean {
  const { code } = driverCodes(error);
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}

export function isWriteConflict(error: unknown): boolean {
  return writeConflictOf(error) !== null;
}

/** The database is not reachable or not answering right now (503, retry later), rather than a failure of ours. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return layers(error).some(
    (layer) =>
      (typeof layer.code === 'string' && UNAVAILABLE_CODES.has(layer.code)) ||
      (typeof layer.message === 'string' && UNAVAILABLE_MESSAGES.test(layer.message)),
  );
}

/**
 * An insert of a key someone else holds: the key exists (here, or on another
 * Galera node first, which fails our certification), or SQLite's writer is busy.
 */
export function isKeyTaken(error: unknown): boolean {
  return isUniqueViolation(error) || isDeadlock(error) || driverCodes(error).code.startsWith('SQLITE_BUSY');
}
