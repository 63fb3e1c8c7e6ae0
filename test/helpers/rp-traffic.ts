import type * as client from 'openid-client';
import { customFetch } from 'openid-client';

/** One request openid-client made and the answer it got, as the wire carried them. */
export interface Exchange {
  url: URL;
  method: string;
  headers: Headers;
  /** The form it sent (token, userinfo by POST, introspection, revocation); empty for a GET. */
  form: URLSearchParams;
  status: number;
  responseHeaders: Headers;
  /** The answer's body as text, read from a copy (openid-client reads the original). */
  body: Promise<string>;
}

/**
 * Records every request openid-client makes with `config` from now on, and
 * its answer: what a relying party sent and got, for the checks a
 * conformance test makes of the raw answer (status, headers, body) besides
 * what the library itself verifies.
 */
export function recordTraffic(config: client.Configuration): Exchange[] {
  const exchanges: Exchange[] = [];
  config[customFetch] = async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    const body = options.body;
    exchanges.push({
      url: new URL(url),
      method: options.method,
      headers: new Headers(options.headers),
      form: body instanceof URLSearchParams ? new URLSearchParams(body) : new URLSearchParams(typeof body === 'string' ? body : ''),
      status: response.status,
      responseHeaders: response.headers,
      body: response.clone().text(),
    });
    return response;
  };
  return exchanges;
}

/** The last exchange with a URL path ending in `suffix` (e.g. '/token', '/me'). */
export function lastTo(exchanges: Exchange[], suffix: string): Exchange {
  const found = exchanges.findLast((exchange) => exchange.url.pathname.endsWith(suffix));
  if (!found) throw new Error(`no request to …${suffix} was made`);
  return found;
}
