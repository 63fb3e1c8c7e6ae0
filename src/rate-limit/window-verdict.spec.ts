import { describe, expect, it } from 'vitest';
import { freeingIndex, retryAfterMs, verdictOf, windowStart, windowState } from './window-verdict.js';

const FIVE_PER_MINUTE = { max: 5, windowMs: 60_000 };
const NOW = 1_800_000_000_000;

describe('a sliding window', () => {
  it('is open below the limit, busy when attempts under way could reach it, full when counted failures do', () => {
    expect(windowState(0, 0, FIVE_PER_MINUTE)).toBe('open');
    expect(windowState(4, 0, FIVE_PER_MINUTE)).toBe('open');
    expect(windowState(3, 2, FIVE_PER_MINUTE)).toBe('busy');
    expect(windowState(4, 1, FIVE_PER_MINUTE)).toBe('busy');
    expect(windowState(5, 0, FIVE_PER_MINUTE)).toBe('full');
    // Pending attempts never make a window full: they may yet succeed.
    expect(windowState(0, 50, FIVE_PER_MINUTE)).toBe('busy');
    expect(windowState(7, 3, FIVE_PER_MINUTE)).toBe('full');
  });

  it('counts what happened within its length before now', () => {
    expect(windowStart(FIVE_PER_MINUTE, NOW)).toBe(NOW - 60_000);
  });

  it('has room again when enough of the oldest failures leave it', () => {
    // Exactly at the limit: the oldest failure must leave; two over: the third oldest.
    expect(freeingIndex(5, FIVE_PER_MINUTE)).toBe(0);
    expect(freeingIndex(7, FIVE_PER_MINUTE)).toBe(2);
    expect(retryAfterMs(NOW - 45_000, FIVE_PER_MINUTE, NOW)).toBe(15_000);
    expect(retryAfterMs(undefined, FIVE_PER_MINUTE, NOW)).toBe(60_000);
  });
});

describe('the verdict over all the limits of an attempt', () => {
  it('admits when every window is open', () => {
    expect(verdictOf([{ limit: 'a', state: 'open' }])).toEqual({ kind: 'admit' });
    expect(verdictOf([])).toEqual({ kind: 'admit' });
  });

  it('holds the attempt back while a window is busy, naming the first such limit', () => {
    expect(
      verdictOf([
        { limit: 'a', state: 'open' },
        { limit: 'b', state: 'busy' },
        { limit: 'c', state: 'busy' },
      ]),
    ).toEqual({ kind: 'wait', limit: 'b' });
  });

  it('refuses when any window is full, busy ones notwithstanding, with the longest wait of the full ones', () => {
    expect(
      verdictOf([
        { limit: 'a', state: 'busy' },
        { limit: 'b', state: 'full', retryAfterMs: 1_000 },
        { limit: 'c', state: 'full', retryAfterMs: 9_000 },
      ]),
    ).toEqual({ kind: 'refuse', retryAfterMs: 9_000, limit: 'b' });
  });
});
