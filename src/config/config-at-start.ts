import type { AppConfig } from './app-config.js';
import { dataDirKeepingSecret, parseConfig } from './parse-config.js';
import { writeSecretFileOnce } from './secret-file.js';

/**
 * The configuration as a process takes it once at start (the service, the
 * operator's CLI, the migration CLI): when SECRET is left to DATA_DIR, the
 * secret file is written first unless an earlier start wrote it; then the
 * environment is parsed, which only reads. Every later parse of the same
 * environment (the Nest configuration module's) reads the same secret.
 */
export function configAtStart(env: Record<string, string | undefined>): AppConfig {
  const dataDir = dataDirKeepingSecret(env);
  if (dataDir) writeSecretFileOnce(dataDir);
  return parseConfig(env);
}
