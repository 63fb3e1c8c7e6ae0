import type { PasskeysConfig } from './app-config.js';
import { ConfigError } from './parse-config.js';

type Env = Record<string, string | undefined>;

/** A registrable domain or `localhost`: lower-case labels of letters, digits and hyphens. */
const RP_ID = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** What an Android app's passkey requests carry as their origin (the SHA-256 of its signing certificate). */
const ANDROID_ORIGIN = /^android:apk-key-hash:[A-Za-z0-9_-]{43}$/;

/**
 * The WebAuthn relying party: its id (a domain the origins belong to), the
 * origins whose ceremonies are accepted, and the name authenticators show.
 * Defaults come from PUBLIC_URL, so a single-host deployment sets nothing.
 */
export function parsePasskeys(env: Env, publicUrl: string): PasskeysConfig {
  const publicOrigin = new URL(publicUrl);
  const rpId = (env.PASSKEY_RP_ID?.trim() || publicOrigin.hostname).toLowerCase();
  if (!RP_ID.test(rpId))
    throw new ConfigError(`PASSKEY_RP_ID must be a domain name such as example.com (no scheme, port or path), got "${rpId}"`);
  const origins = (env.PASSKEY_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  if (origins.length === 0) origins.push(publicOrigin.origin);
  for (const origin of origins) checkOrigin(origin, rpId);
  const rpName = env.PASSKEY_RP_NAME?.trim() || 'one_auth';
  if (rpName.length > 64) throw new ConfigError('PASSKEY_RP_NAME must be at most 64 characters');
  return { rpId, origins: [...new Set(origins)], rpName };
}

/** A web origin on the RP ID's domain (scheme, host and port only), or an app's origin. */
function checkOrigin(origin: string, rpId: string): void {
  if (ANDROID_ORIGIN.test(origin)) return;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
    throw new ConfigError(
      `PASSKEY_ORIGINS must be a comma-separated list of origins (https://host[:port], no path) or android:apk-key-hash:<hash>, got "${origin}"`,
    );
  }
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    throw new ConfigError(`PASSKEY_ORIGINS: "${origin}" is not on the domain of PASSKEY_RP_ID (${rpId})`);
  }
}
