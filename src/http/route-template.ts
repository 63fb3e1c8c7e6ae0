import type { IncomingMessage } from 'node:http';

/** What a platform knows about a request beyond Node's own: Express keeps its route on it; Fastify's is copied over. */
type Routed = IncomingMessage & { route?: { path?: unknown }; routeTemplate?: string };

/**
 * The route the request matched, as declared (`/one_auth/api/sessions/:id`),
 * never the URL itself: bounded for metrics labels, and free of whatever a
 * client puts in a path or query. Null when no route matched (unknown paths,
 * the documentation pages).
 */
export function routeTemplateOf(request: IncomingMessage): string | null {
  const routed = request as Routed;
  if (routed.routeTemplate !== undefined) return routed.routeTemplate;
  const path = routed.route?.path;
  // Nest answers unknown paths on Express through a catch-all route (`*path`): not one of ours.
  return typeof path === 'string' && path.startsWith('/') ? path : null;
}

/** For Fastify, whose raw request does not know its route: called once the route is found. */
export function setRouteTemplate(request: IncomingMessage, template: string | undefined): void {
  if (template !== undefined) (request as Routed).routeTemplate = template;
}
