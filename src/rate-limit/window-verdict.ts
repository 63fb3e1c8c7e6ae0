import type { LimitRule } from '../config/app-config.js';

/**
 * The rules of a sliding window, apart from where its events are kept. A
 * window is `full` when the failures counted in it alone reach the limit
 * (429 until enough of them leave it), `busy` when attempts still under way
 * could fill it (wait for them to settle), `open` otherwise.
 */
export type WindowState = 'full' | 'busy' | 'open';

export function windowState(counted: number, pending: number, rule: LimitRule): WindowState {
  if (counted >= rule.max) return 'full';
  return counted + pending >= rule.max ? 'busy' : 'open';
}

/** Where the window of `rule` begins at `now`: events at or before this no longer count. */
export function windowStart(rule: LimitRule, now: number): number {
  return now - rule.windowMs;
}

/**
 * Of a full window's counted failures, oldest first, the one whose leaving
 * makes room for one more: the (counted − max + 1)th.
 */
export function freeingIndex(counted: number, rule: LimitRule): number {
  return counted - rule.max;
}

/** How long until that failure leaves the window (at once when it is not found). */
export function retryAfterMs(freeingAt: number | undefined, rule: LimitRule, now: number): number {
  return (freeingAt ?? now) + rule.windowMs - now;
}

/** `limit`: the first limit that refuses or holds the attempt back, for the 429 metric. */
export type Verdict<L> = { kind: 'admit' } | { kind: 'wait'; limit?: L } | { kind: 'refuse'; retryAfterMs: number; limit: L };

/**
 * One verdict over all the limits of an attempt: refused when any window is
 * full (retry once the last of them has room), else held back while any is
 * busy, else admitted.
 */
export function verdictOf<L>(windows: Array<{ limit: L; state: WindowState; retryAfterMs?: number }>): Verdict<L> {
  const full = windows.filter((window) => window.state === 'full');
  if (full.length > 0) {
    return { kind: 'refuse', retryAfterMs: Math.max(0, ...full.map((window) => window.retryAfterMs ?? 0)), limit: full[0].limit };
  }
  const busy = windows.find((window) => window.state === 'busy');
  return busy ? { kind: 'wait', limit: busy.limit } : { kind: 'admit' };
}
