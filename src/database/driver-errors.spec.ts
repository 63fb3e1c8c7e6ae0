import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isDeadlock, isKeyTaken, isUniqueViolation, isWriteConflict } from './driver-errors.js';

const wrapped = (driverError: object) => Object.assign(new Error('query failed'), { driverError });

describe('driver errors', () => {
  it('recognises deadlock / certification failure and lock wait timeout, bare or wrapped by TypeORM', () => {
    expect(isWriteConflict({ errno: 1213 })).toBe(true);
    expect(isWriteConflict({ driverError: { errno: 1205 } })).toBe(true);
    expect(isWriteConflict({ driverError: { errno: 1062 } })).toBe(false);
    expect(isWriteConflict(new Error('connect ECONNREFUSED'))).toBe(false);
    expect(isWriteConflict(null)).toBe(false);
    expect(isDeadlock(wrapped({ errno: 1213, code: 'ER_LOCK_DEADLOCK' }))).toBe(true);
    expect(isDeadlock(wrapped({ errno: 1205 }))).toBe(false);
  });

  it('recognises a unique key refusing a write, on MySQL and SQLite', () => {
    expect(isUniqueViolation(wrapped({ errno: 1062, code: 'ER_DUP_ENTRY' }))).toBe(true);
    expect(isUniqueViolation(wrapped({ code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(true);
    expect(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })).toBe(true);
    expect(isUniqueViolation(wrapped({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }))).toBe(false);
    expect(isUniqueViolation(new Error('Duplicate entry'))).toBe(false);
  });

  it('tells an outage from a failure of ours', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(wrapped({ code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Pool is closed.'))).toBe(true);
    expect(isDatabaseUnavailable(wrapped({ errno: 1064, code: 'ER_PARSE_ERROR' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });

  it('takes a key held elsewhere for taken: a duplicate, a lost certification, a busy SQLite writer', () => {
    expect(isKeyTaken(wrapped({ errno: 1062 }))).toBe(true);
    expect(isKeyTaken(wrapped({ errno: 1213 }))).toBe(true);
    expect(isKeyTaken(wrapped({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))).toBe(true);
    expect(isKeyTaken(wrapped({ code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
    expect(isKeyTaken(wrapped({ code: 'ECONNREFUSED' }))).toBe(false);
  });
});
