/**
 * Coalesces `last_used_at` writes: the token check records a use in memory
 * and one UPDATE per interval writes them all, instead of a write per
 * request. What is lost in a crash is at most one interval of idle-time
 * bookkeeping, never a revocation (those are written at once).
 */
export class TokenTouches {
  private pending = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (ids: number[], at: number) => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  record(tokenId: number, at: number): void {
    this.pending.set(tokenId, at);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Whether a use of this token is already waiting to be written. */
  has(tokenId: number): boolean {
    return this.pending.has(tokenId);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const at = Math.max(...batch.values());
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      await this.write(ids.slice(i, i + 500), at).catch(() => undefined);
    }
  }
}
