/**
 * Security headers on every answer (helmet's middleware, on either
 * platform). Uploaded images are meant to be shown by other sites (avatars),
 * so resources may be loaded cross-origin; reading JSON cross-origin is still
 * up to CORS, which stays closed. The CSP does not ask browsers to upgrade
 * requests to https: served over plain http (a LAN host, a container), that
 * would send Swagger UI's own files to a port that speaks no TLS.
 */
export const HELMET_OPTIONS = {
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
} as const;
