import type { JWK } from 'jose';

/** The algorithms the provider signs with: RS256 by default, ES256 for clients that registered it. */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** How often every instance reads the keys again: a rotation or a key's activation holds everywhere within this. */
export const KEY_REFRESH_MS = 30_000;
/**
 * A new key is published this long before it signs: more than the time every
 * instance takes to read it (KEY_REFRESH_MS) with margin, so no instance
 * signs with a key another one does not publish yet.
 */
export const PUBLISH_LEAD_MS = 2 * KEY_REFRESH_MS + 60_000;
/**
 * A key that stopped signing stays published this long: the longest-lived
 * token it signed (an ID token, 1 h), plus the time instances take to notice
 * its successor, plus the provider's clock tolerance.
 */
export const RETIRED_KEY_TTL_MS = 3_600_000 + KEY_REFRESH_MS + 60_000;

/** A key as stored, its private part opened. */
export interface StoredKey {
  kid: string;
  alg: SigningAlg;
  generation: number;
  activatesAt: number;
  privateJwk: JWK;
}

/** What the provider is built with at a moment: the keys it publishes, the signing one of each algorithm first. */
export interface KeySet {
  /** Private JWKs: each algorithm's signing key first, then the published others (next and retiring). */
  keys: JWK[];
  /** Which kid signs, per algorithm. */
  signing: Record<SigningAlg, string>;
  /** Identifies the set: the provider is rebuilt when this changes. */
  fingerprint: string;
  /** Kids whose publication has ended: their rows can go. */
  expired: string[];
}

/**
 * Which stored keys sign and which are published at `now`. Per algorithm,
 * the highest generation whose activation has come signs; a later generation
 * is published ahead of its turn; an earlier one until RETIRED_KEY_TTL_MS
 * after its successor took over. Null when an algorithm has no key that may
 * sign yet.
 */
export function keySetAt(stored: StoredKey[], now: number): KeySet | null {
  const first: JWK[] = [];
  const rest: JWK[] = [];
  const signing = {} as Record<SigningAlg, string>;
  const expired: string[] = [];
  for (const alg of SIGNING_ALGS) {
    const keys = stored.filter((key) => key.alg === alg).sort((a, b) => b.generation - a.generation);
    const active = keys.findIndex((key) => key.activatesAt <= now);
    if (active < 0) return null;
    signing[alg] = keys[active].kid;
    first.push(jwkOf(keys[active]));
    keys.forEach((key, index) => {
      if (index < active) rest.push(jwkOf(key));
      else if (index > active) {
        // Retired when the next generation took over.
        const successor = keys[index - 1];
        if (successor.activatesAt > now - RETIRED_KEY_TTL_MS) rest.push(jwkOf(key));
        else expired.push(key.kid);
      }
    });
  }
  const keys = [...first, ...rest];
  return { keys, signing, expired, fingerprint: keys.map((key) => key.kid).join(',') };
}

function jwkOf(key: StoredKey): JWK {
  return { ...key.privateJwk, kid: key.kid, alg: key.alg, use: 'sig' };
}
