import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Outside production SECRET may be left unset: a random one is kept in
 * DATA_DIR instead, so that restarts keep codes and queued mail readable.
 */
export function secretFilePath(dataDir: string): string {
  return join(dataDir, 'secret');
}

/** The secret an earlier start wrote into `dataDir`, if there is one. */
export function readSecretFile(dataDir: string): string | undefined {
  try {
    return readFileSync(secretFilePath(dataDir), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a new random secret into `dataDir` unless one is there already. */
export function writeSecretFileOnce(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(secretFilePath(dataDir), randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // There already, or another instance sharing DATA_DIR wrote it first: theirs stays.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
