import { describe, expect, it } from 'vitest';
import { keySetAt, PUBLISH_LEAD_MS, RETIRED_KEY_TTL_MS, type StoredKey } from './key-set.js';

const key = (alg: 'RS256' | 'ES256', generation: number, activatesAt: number): StoredKey => ({
  kid: `${alg}-${generation}`,
  alg,
  generation,
  activatesAt,
  privateJwk: { kty: alg === 'RS256' ? 'RSA' : 'EC' },
});

describe('keySetAt', () => {
  const t0 = 1_000_000_000;
  const first = [key('RS256', 1, t0), key('ES256', 1, t0)];

  it('signs with the first generation, first in the set', () => {
    const set = keySetAt(first, t0)!;
    expect(set.signing).toEqual({ RS256: 'RS256-1', ES256: 'ES256-1' });
    expect(set.keys.map((jwk) => jwk.kid)).toEqual(['RS256-1', 'ES256-1']);
    expect(set.keys[0]).toMatchObject({ alg: 'RS256', use: 'sig' });
  });

  it('has nothing to sign with before a key’s time', () => {
    expect(keySetAt([key('RS256', 1, t0 + 1), key('ES256', 1, t0)], t0)).toBeNull();
  });

  it('publishes a new generation before it signs, and the old one until what it signed expired', () => {
    const rotatedAt = t0 + 1000;
    const keys = [...first, key('RS256', 2, rotatedAt + PUBLISH_LEAD_MS), key('ES256', 2, rotatedAt + PUBLISH_LEAD_MS)];
    const before = keySetAt(keys, rotatedAt)!;
    expect(before.signing).toEqual({ RS256: 'RS256-1', ES256: 'ES256-1' });
    expect(before.keys.map((jwk) => jwk.kid)).toEqual(['RS256-1', 'ES256-1', 'RS256-2', 'ES256-2']);
    const after = keySetAt(keys, rotatedAt + PUBLISH_LEAD_MS)!;
    expect(after.signing).toEqual({ RS256: 'RS256-2', ES256: 'ES256-2' });
    expect(after.keys.map((jwk) => jwk.kid)).toEqual(['RS256-2', 'ES256-2', 'RS256-1', 'ES256-1']);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    const later = keySetAt(keys, rotatedAt + PUBLISH_LEAD_MS + RETIRED_KEY_TTL_MS)!;
    expect(later.keys.map((jwk) => jwk.kid)).toEqual(['RS256-2', 'ES256-2']);
    expect(later.expired).toEqual(['RS256-1', 'ES256-1']);
  });
});
