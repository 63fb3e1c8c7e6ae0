import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Security headers on every answer (helmet's middleware). Uploaded images
 * are meant to be shown by other sites (avatars), so resources may be loaded
 * cross-origin; reading JSON cross-origin is still up to CORS, which stays
 * closed. The CSP does not ask browsers to upgrade requests to https: served
 * over plain http (a LAN host, a container), that would send Swagger UI's
 * own files to a port that speaks no TLS.
 */
export const HELMET_OPTIONS = {
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
} as const;

type HeaderChange = { name: string; value: string } | { name: string; remove: true };

/** What helmet's middleware does to a response with these options, recorded once from helmet itself. */
function recordHelmet(): HeaderChange[] {
  const changes: HeaderChange[] = [];
  const response = {
    setHeader: (name: string, value: string) => changes.push({ name, value }),
    removeHeader: (name: string) => changes.push({ name, remove: true }),
  };
  helmet(HELMET_OPTIONS)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return changes;
}

const SECURITY_HEADER_CHANGES = recordHelmet();

/** The headers helmet sets, as name and value in turn (what it removes is never set on a fresh answer). */
export const SECURITY_HEADERS: readonly string[] = SECURITY_HEADER_CHANGES.flatMap((change) =>
  'remove' in change ? [] : [change.name, change.value],
);

/**
 * helmet's headers. They are the same on every answer,
 * so they are taken once from helmet and set from that list: running
 * helmet's thirteen middlewares per request cost 10–15 µs on the token
 * check, more than the headers themselves.
 */
export function setSecurityHeaders(response: ServerResponse): void {
  for (const change of SECURITY_HEADER_CHANGES) {
    if ('remove' in change) response.removeHeader(change.name);
    else response.setHeader(change.name, change.value);
  }
}
