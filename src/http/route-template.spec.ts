import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { routeTemplateOf, setRouteTemplate } from './route-template.js';

const request = (extra: object) => extra as IncomingMessage;

describe('routeTemplateOf', () => {
  it("reads Express's matched route, and what Fastify's hook copied", () => {
    expect(routeTemplateOf(request({ route: { path: '/one_auth/api/sessions/:id' } }))).toBe('/one_auth/api/sessions/:id');
    const raw = request({});
    setRouteTemplate(raw, '/one_auth/images/:name');
    expect(routeTemplateOf(raw)).toBe('/one_auth/images/:name');
  });

  it("is null when no route of the service matched (nothing, or Nest's catch-all)", () => {
    expect(routeTemplateOf(request({}))).toBeNull();
    expect(routeTemplateOf(request({ route: { path: '*path' } }))).toBeNull();
    const raw = request({});
    setRouteTemplate(raw, undefined);
    expect(routeTemplateOf(raw)).toBeNull();
  });
});
