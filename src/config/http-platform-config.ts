import { ConfigError } from './parse-config.js';

type Env = Record<string, string | undefined>;

/**
 * HTTP_PLATFORM once chose between two HTTP frameworks under the same API;
 * the service now runs on Express alone. `express` names what it runs on,
 * so a deployment that set it keeps starting. Any other value asks for a
 * server the service no longer has: the start stops and says so, rather
 * than run on another framework than the operator configured.
 */
export function refuseRetiredPlatform(env: Env): void {
  const raw = env.HTTP_PLATFORM?.trim();
  if (!raw || raw.toLowerCase() === 'express') return;
  throw new ConfigError(`HTTP_PLATFORM=${raw} is not supported: the service runs on Express only (remove HTTP_PLATFORM)`);
}
