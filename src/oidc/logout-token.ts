import { importJWK, SignJWT } from 'jose';
import type { KeySet, SigningAlg } from './key-set.js';

/** The event a logout token carries (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** As the provider's own logout tokens: long enough for a slow receiver, short enough not to be replayed later. */
const LOGOUT_TOKEN_TTL_S = 120;

/** What one logout token says: to whom, about whom (as that client knows them), which session. */
export interface LogoutClaims {
  issuer: string;
  clientId: string;
  sub: string;
  sid?: string;
  jti: string;
}

/**
 * A logout token signed now, with the key that signs the client's ID tokens
 * (the algorithm it registered). `typ` is `logout+jwt`, as the
 * specification recommends, so it cannot pass for an ID token.
 */
export async function signLogoutToken(claims: LogoutClaims, alg: SigningAlg, keys: KeySet): Promise<string> {
  const kid = keys.signing[alg];
  const jwk = keys.keys.find((key) => key.kid === kid);
  if (!jwk) throw new Error(`no ${alg} signing key`);
  const key = await importJWK(jwk, alg);
  return new SignJWT({
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...(claims.sid === undefined ? {} : { sid: claims.sid }),
  })
    .setProtectedHeader({ alg, kid, typ: 'logout+jwt' })
    .setIssuer(claims.issuer)
    .setAudience(claims.clientId)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt()
    .setExpirationTime(`${LOGOUT_TOKEN_TTL_S}s`)
    .sign(key);
}
