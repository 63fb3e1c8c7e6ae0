/**
 * What this process writes to stdout and stderr: the service's log lines,
 * exactly as an operator would get them. Installed once per test file (see
 * log-secrets.setup.ts); passed through only with TEST_LOG_ECHO=1, since a
 * debug-level run writes a lot.
 */
const chunks: string[] = [];
let length = 0;
let installed = false;

export function installOutputCapture(): void {
  if (installed) return;
  installed = true;
  const echo = process.env.TEST_LOG_ECHO === '1';
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      chunks.push(text);
      length += text.length;
      if (echo) return write(chunk, ...rest);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

/** A position in the output, to read what came after it. */
export function outputMark(): number {
  return length;
}

export function outputSince(mark = 0): string {
  return chunks.join('').slice(mark);
}

/** The JSON log records written since `mark` (other lines skipped). */
export function logRecordsSince(mark = 0): Record<string, unknown>[] {
  return outputSince(mark)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
