import type { DestinationStream } from 'pino';
import { pino } from 'pino';

/** Lines are gathered up to this many bytes before a write… */
const BATCH_BYTES = 16_384;
/** …and a write takes up to this many (sonic-boom's default, 16 KB, must exceed the batch). */
const MAX_WRITE_BYTES = 65_536;
/** …or for at most this long. */
const BATCH_MS = 250;

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * Standard output, written asynchronously and in batches, through pino's own
 * writer (sonic-boom): the writes happen on libuv's thread pool, about 16 KB
 * (80 request lines) at a time, or every 250 ms when the service is quiet.
 * Each write hands work to a pool thread and wakes it, and on a busy machine
 * that thread takes the core from the event loop for a while: with 4 KB
 * batches (600 writes a second under load) the writes took about 6 % of the
 * token check's time in a profile; 16 KB batches make a quarter as many.
 * Stdout to a file or a pipe is otherwise synchronous on Linux: a write per
 * line on the event loop, and a slow reader of the pipe stalls every
 * request. (A write per line, even asynchronous, costs more: each is a round
 * trip to the thread pool.)
 *
 * In front of sonic-boom, the lines of one turn of the event loop are joined
 * and handed over as one string. sonic-boom measures the byte length of the
 * whole pending chunk on every write, which flattens and copies it each
 * time: per line, that cost the token check more than formatting the line
 * (measured: 7 % of its throughput).
 *
 * What is still buffered when the process ends must be written first: call
 * `close()` before every deliberate exit (SIGTERM, a fatal error, a failed
 * start). Should anything call process.exit() without it, pino's exit hook
 * writes what sonic-boom holds, and this one what it has not handed over yet.
 */
export class LogDestination implements DestinationStream {
  private readonly output: SonicBoom = pino.destination({
    dest: 1,
    sync: false,
    minLength: BATCH_BYTES,
    maxWrite: MAX_WRITE_BYTES,
    periodicFlush: BATCH_MS,
  });
  private lines: string[] = [];
  private handOverScheduled = false;

  constructor() {
    process.on('exit', () => {
      if (this.lines.length === 0) return;
      this.handOver();
      this.output.flushSync();
    });
  }

  write(line: string): void {
    this.lines.push(line);
    if (!this.handOverScheduled) {
      this.handOverScheduled = true;
      setImmediate(this.handOver);
    }
  }

  private readonly handOver = (): void => {
    this.handOverScheduled = false;
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.output.write(chunk);
  };

  /**
   * Resolves once every line written so far is out, or after `timeoutMs` if
   * stdout does not take them (a stalled reader): an exit must not wait
   * forever. Call it right before exiting.
   *
   * From here on no asynchronous write starts (sonic-boom's threshold for
   * one is set out of reach): lines logged while this waits stay in its
   * buffer, and pino's exit hook writes them synchronously. So nothing is
   * written twice or out of order, and no answer that goes out during the
   * wait loses its line, since no write can be in flight when the process
   * exits.
   */
  close(timeoutMs = 5000): Promise<void> {
    (this.output as unknown as { minLength: number }).minLength = Number.MAX_SAFE_INTEGER;
    this.handOver();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      // Writes what is buffered, once any write in flight is done; calls back when all of it is out.
      this.output.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
