/**
 * The internal parts of oidc-provider this service calls, pinned with the
 * package's exact version. The last step of RP-initiated logout's
 * confirmation (ends the session, revokes its grants, sends the browser
 * on): the logout tests fail if it moves.
 */
declare module 'oidc-provider/lib/actions/end_session.js' {
  import type { KoaContextWithOIDC } from 'oidc-provider';

  export const confirm: ((ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>)[];
}

/**
 * The userinfo action's filter of a token's requested claims by its grant
 * (oidc-provider.host.ts answerUserinfo): test/userinfo-ahead.e2e-spec.ts
 * fails if it moves.
 */
declare module 'oidc-provider/lib/helpers/filter_claims.js' {
  import type { ClaimsParameter, Grant } from 'oidc-provider';

  export default function filterClaims(
    source: ClaimsParameter | undefined,
    target: 'userinfo' | 'id_token',
    grant: Grant,
  ): Record<string, null | Record<string, unknown>>;
}
