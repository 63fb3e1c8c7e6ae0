import { describe, expect, it } from 'vitest';
import { conflictBackoffMs, triesAllowed } from './conflict-retry.js';

describe('retrying a unit of work after a write conflict', () => {
  it('allows several tries after a deadlock, one more after a lock wait timeout, none after anything else', () => {
    expect(triesAllowed({ errno: 1213 })).toBe(6);
    expect(triesAllowed({ driverError: { errno: 1205 } })).toBe(2);
    expect(triesAllowed(new Error('Duplicate entry'))).toBe(1);
  });

  it('backs off within a doubling ceiling, capped', () => {
    expect(conflictBackoffMs(1, () => 1)).toBe(16);
    expect(conflictBackoffMs(2, () => 1)).toBe(32);
    expect(conflictBackoffMs(20, () => 1)).toBe(250);
    expect(conflictBackoffMs(3, () => 0)).toBe(0);
  });
});
