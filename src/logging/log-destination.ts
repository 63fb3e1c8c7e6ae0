import type { DestinationStream } from 'pino';
import { pino } from 'pino';

/** Lines are gathered up to this many bytes before a write… */
const BATCH_BYTES = 65_536;
/** …the batch counts as full with less room than this left (a request line is about 260 bytes)… */
const FULL_MARGIN = 1024;
/** …or for at most this long after the first line of a batch. */
const BATCH_MS = 250;
/** What arrives while a write is in flight is joined into pieces of up to this many bytes (sonic-boom's default, 16 KB, is less than a batch). */
const MAX_WRITE_BYTES = 262_144;

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * Standard output, written asynchronously and in batches, through pino's own
 * writer (sonic-boom): the writes happen on libuv's thread pool, about 64 KB
 * (250 request lines) at a time, or 250 ms after the first line of a batch
 * when the service is quiet. Each write hands work to a pool thread and
 * wakes it, takes a core from the event loop or the clients for a while, and
 * costs the file system a journalled update of the file whatever its size:
 * with 4 KB batches (600 writes a second under load) the writes took about
 * 6 % of the token check's time in a profile. Stdout to a file or a pipe is
 * otherwise synchronous on Linux: a write per line on the event loop, and a
 * slow reader of the pipe stalls every request. (A write per line, even
 * asynchronous, costs more: each is a round trip to the thread pool.)
 *
 * The batch is gathered here, each line encoded into a buffer as it comes
 * (while its text is still in the cache), and handed to sonic-boom as one
 * buffer, which it writes at once. Gathering in sonic-boom instead (its
 * minLength), or handing it the lines of each turn of the event loop, costs
 * more per line: it appends each piece to its pending string and measures
 * the byte length of that whole string on every write, which flattens and
 * copies it each time, and a turn under load holds few lines; joining an
 * array of lines per batch and encoding the result still touched each line
 * three times. With the batch gathered here, request lines cost
 * the token check 3–10 % of its throughput in the benchmark, against 7–13 %
 * handed over turn by turn (bench/run.mjs --token-check, alternate runs).
 *
 * What is still buffered when the process ends must be written first: call
 * `close()` before every deliberate exit (SIGTERM, a fatal error, a failed
 * start). Should anything call process.exit() without it, pino's exit hook
 * writes what sonic-boom holds, and this one what it has not handed over yet.
 */
export class LogDestination implements DestinationStream {
  private readonly output: SonicBoom = pino.destination({ dest: 1, sync: false, contentMode: 'buffer', maxWrite: MAX_WRITE_BYTES });
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor() {
    process.on('exit', () => {
      if (this.used === 0) return;
      this.handOver();
      this.output.flushSync();
    });
  }

  write(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: the line fits whole, or the batch goes first.
    const room = line.length * 3;
    if (this.used + room > this.batch.length) {
      this.handOver();
      if (room > this.batch.length) return this.send(Buffer.from(line));
    }
    this.used += this.batch.write(line, this.used);
    if (this.used >= BATCH_BYTES - FULL_MARGIN || this.closing) this.handOver();
    else this.timer ??= setTimeout(this.handOver, BATCH_MS).unref();
  }

  private readonly handOver = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    const chunk = this.batch.subarray(0, this.used);
    this.batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    this.send(chunk);
  };

  /** In buffer mode sonic-boom takes buffers, though its types only name strings. */
  private send(bytes: Buffer): void {
    this.output.write(bytes as unknown as string);
  }

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
    this.closing = true;
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
