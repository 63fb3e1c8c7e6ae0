import { pino } from 'pino';

/** pino's own buffered file-descriptor writer (sonic-boom). */
export type LogDestination = ReturnType<typeof pino.destination>;

/**
 * Standard output, written asynchronously and in batches: logging a line
 * costs the request a string append; the write happens on libuv's thread
 * pool, and the lines that come while one write is in flight go out together
 * in the next. Stdout to a file or a pipe is otherwise synchronous on Linux:
 * a write per line on the event loop, and a slow reader of the pipe stalls
 * every request.
 *
 * What is still buffered when the process ends must be written first:
 * `closeLogDestination` before every deliberate exit (SIGTERM, a fatal
 * error, a failed start); pino also writes what is left synchronously on
 * `exit`, should anything call process.exit() without it.
 */
export function createLogDestination(): LogDestination {
  return pino.destination({ dest: 1, sync: false });
}

/**
 * Resolves once every line written so far is out, or after `timeoutMs` if
 * stdout does not take them (a stalled reader): an exit must not wait
 * forever. Call it right before exiting.
 *
 * From here on no asynchronous write starts (the threshold for one is set
 * out of reach): lines logged while this waits stay in the buffer, and
 * pino's exit hook writes them synchronously. So nothing is written twice
 * or out of order, and no answer that goes out during the wait loses its
 * line, since no write can be in flight when the process exits.
 */
export function closeLogDestination(destination: LogDestination, timeoutMs = 5000): Promise<void> {
  (destination as unknown as { minLength: number }).minLength = Number.MAX_SAFE_INTEGER;
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    // Writes what is buffered, once any write in flight is done; calls back when all of it is out.
    destination.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
