import type { ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { TooManyRequestsError } from '../../http/api-error.js';
import type { OidcProviderHost } from '../oidc-provider.host.js';
import type { SafeHtml } from './html.js';
import { PAGE_HEADERS } from './layout.js';
import type { InteractionPage } from './sign-in-pages.js';

/** The provider's interaction a page belongs to, as it describes it. */
export type Interaction = Awaited<ReturnType<OidcProviderHost['current']['interactionDetails']>>;

/** One route of the login pages: the interaction checked (its cookie, its uid) and, for a POST, its CSRF token. */
export type PageHandler = (request: Request, response: Response, interaction: Interaction, page: InteractionPage) => Promise<void>;

/** A group of the login pages' routes, by `METHOD action` (the path after the interaction's). */
export type PageRoutes = Record<string, PageHandler>;

export function sendPage(response: ServerResponse, status: number, page: SafeHtml): void {
  const body = page.toString();
  response.statusCode = status;
  for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(body);
}

/** 303 to a page of this service (after a form, so a reload does not post it again), or to where a sign-in goes on. */
export function seeOther(response: Response, location: string): void {
  response.status(303).set('Location', location).set('Cache-Control', 'no-store').end();
}

/** A form field as text: anything else (absent, repeated) is empty. */
export const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A form's fields. */
export const formOf = (request: Request): Record<string, unknown> => (request.body ?? {}) as Record<string, unknown>;

/** Past a limit: the Retry-After header in whole seconds, as the API sends it, and how long to wait in whole minutes. */
export function tooMany(response: Response, error: TooManyRequestsError, what = 'Too many failed attempts'): string {
  response.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60));
  return `${what}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
