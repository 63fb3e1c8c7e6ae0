import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { routeTemplateOf } from './route-template.js';

const request = (extra: object) => extra as IncomingMessage;

describe('routeTemplateOf', () => {
  it("reads Express's matched route", () => {
    expect(routeTemplateOf(request({ route: { path: '/one_auth/api/sessions/:id' } }))).toBe('/one_auth/api/sessions/:id');
  });

  it("is null when no route of the service matched (nothing, or Nest's catch-all)", () => {
    expect(routeTemplateOf(request({}))).toBeNull();
    expect(routeTemplateOf(request({ route: { path: '*path' } }))).toBeNull();
  });
});
