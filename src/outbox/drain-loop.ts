import type { Logger } from '@nestjs/common';

/**
 * The loop of an outbox worker: runs `step` (claim a batch of due rows and
 * handle it; true when it claimed any) until it finds nothing, on a fixed
 * interval and whenever kicked. Runs never overlap; a kick during a run is
 * remembered and starts one more run after it, so rows queued mid-run are
 * not left waiting for the next poll.
 */
export class DrainLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private pending = false;
  private stopped = false;

  constructor(
    private readonly step: () => Promise<boolean>,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Drain whatever is due, now; coalesces with a run in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.drain()
      .catch((error: Error) => this.logger.warn(`${this.what} run failed: ${error.message}`))
      .finally(() => {
        this.running = null;
        if (this.pending) {
          this.pending = false;
          this.kick();
        }
      });
  }

  /** No run starts after this; resolves when the one under way has finished its batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (await this.step()));
  }
}
