import type { IncomingMessage } from 'node:http';

/** Express keeps the route it matched on the request. */
type Routed = IncomingMessage & { route?: { path?: unknown } };

/**
 * The route the request matched, as declared (`/one_auth/api/sessions/:id`),
 * never the URL itself: bounded for metrics labels, and free of whatever a
 * client puts in a path or query. Null when no route matched (unknown paths,
 * the documentation pages).
 */
export function routeTemplateOf(request: IncomingMessage): string | null {
  const path = (request as Routed).route?.path;
  // Nest answers unknown paths on Express through a catch-all route (`*path`): not one of ours.
  return typeof path === 'string' && path.startsWith('/') ? path : null;
}
