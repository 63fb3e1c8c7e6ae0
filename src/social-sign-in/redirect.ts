import type { ServerResponse } from 'node:http';

/**
 * A 302 with an empty body: Express's redirect() writes the URL into a body
 * too, and the URLs here carry a state or a login code that has no business
 * anywhere but the Location header.
 */
export function redirect(response: ServerResponse, url: string): void {
  response.statusCode = 302;
  response.setHeader('Location', url);
  response.setHeader('Content-Length', '0');
  response.end();
}

/** The 302 as the document declares it. */
export const REDIRECT_HEADERS = {
  Location: { description: 'Where the browser goes next', required: true, schema: { type: 'string', format: 'uri' } },
};
