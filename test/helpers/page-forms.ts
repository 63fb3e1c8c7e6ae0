import { BrowserSession, fieldValue, formAction, type PageResponse } from './browser-session.js';
import { type AuthorizationRequest, authorizationRequest, type client } from './oidc-rp.js';

/** A page and where the browser stands: the page shown, or the app's redirect URI it was sent to. */
export interface Step {
  page: PageResponse;
  leftTo?: string;
}

/**
 * Opens an authorization request in a browser (a new one unless given) and
 * follows the provider's redirects: the first page it shows.
 */
export async function openSignIn(
  config: client.Configuration,
  origin: string,
  parameters: Record<string, string> = {},
  browser = new BrowserSession(),
): Promise<Step & { browser: BrowserSession; request: AuthorizationRequest }> {
  const request = await authorizationRequest(config, parameters);
  return { ...(await browser.follow(request.url, origin)), browser, request };
}

/** Posts a page's form (the one whose action ends with `suffix`) with its CSRF token, following redirects while on `origin`. */
export function submit(browser: BrowserSession, origin: string, page: PageResponse, suffix: string, form: Record<string, string>) {
  const action = formAction(page.body, suffix);
  if (!action) throw new Error(`no form posting to …${suffix} on ${page.url}`);
  return browser.follow(new URL(action, page.url).href, origin, { form: { csrf: fieldValue(page.body, 'csrf')!, ...form } });
}

/** Follows a link of a page (its href ends with `suffix`), as a click would. */
export function followLink(browser: BrowserSession, origin: string, page: PageResponse, suffix: string) {
  const match = new RegExp(`<a[^>]*href="([^"]*${suffix.replace(/[/.]/g, '\\$&')})"`).exec(page.body);
  if (!match) throw new Error(`no link to …${suffix} on ${page.url}`);
  return browser.follow(new URL(match[1], page.url).href, origin);
}

/** The page's heading, for telling pages apart. */
export function headingOf(page: PageResponse): string {
  return /<h1>([\s\S]*?)<\/h1>/.exec(page.body)?.[1].replace(/\s+/g, ' ').trim() ?? '';
}
