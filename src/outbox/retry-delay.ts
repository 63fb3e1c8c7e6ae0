/**
 * Wait before try n+1: 1 s, 2 s, 4 s … never more than `maxMs`, with jitter
 * so that instances and endpoints spread out after an outage.
 */
export function retryDelayMs(attempts: number, maxMs: number): number {
  const base = 1000 * 2 ** Math.min(30, Math.max(0, attempts - 1));
  return Math.round(Math.min(base * (0.8 + Math.random() * 0.4), maxMs));
}
