/**
 * The one internal part of oidc-provider this service calls: the last step
 * of RP-initiated logout's confirmation (ends the session, revokes its
 * grants, sends the browser on). Pinned with the package's exact version;
 * the logout tests fail if it moves.
 */
declare module 'oidc-provider/lib/actions/end_session.js' {
  import type { KoaContextWithOIDC } from 'oidc-provider';

  export const confirm: ((ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>)[];
}
