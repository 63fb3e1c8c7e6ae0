import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.js';

describe('retryDelayMs', () => {
  it('doubles from about a second', () => {
    for (const [attempts, base] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [5, 16_000],
    ]) {
      const delay = retryDelayMs(attempts, 60_000);
      expect(delay).toBeGreaterThanOrEqual(base * 0.8);
      expect(delay).toBeLessThanOrEqual(base * 1.2);
    }
  });

  it('never waits longer than the ceiling, however many tries failed', () => {
    for (const attempts of [7, 8, 20, 1440, 100_000]) {
      const delay = retryDelayMs(attempts, 60_000);
      expect(delay).toBeGreaterThanOrEqual(48_000);
      expect(delay).toBeLessThanOrEqual(60_000);
    }
  });

  it('backs off exponentially from about a second, capped at ten minutes (the mail outbox)', () => {
    expect(retryDelayMs(1, 10 * 60_000)).toBeGreaterThanOrEqual(800);
    expect(retryDelayMs(1, 10 * 60_000)).toBeLessThanOrEqual(1200);
    expect(retryDelayMs(4, 10 * 60_000)).toBeGreaterThanOrEqual(6400);
    expect(retryDelayMs(50, 10 * 60_000)).toBeLessThanOrEqual(12 * 60_000);
  });

  it('tries at least 24 h worth of times within the ceiling', () => {
    // With a 60 s ceiling a day of retries is well over a thousand tries: none is skipped by an overflow.
    let waited = 0;
    let attempts = 0;
    while (waited < 86_400_000) waited += retryDelayMs(++attempts, 60_000);
    expect(attempts).toBeGreaterThan(1400);
  });
});
