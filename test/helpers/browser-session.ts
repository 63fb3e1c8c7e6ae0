/**
 * A browser as far as the login pages need one, over plain HTTP: a cookie
 * jar (names, values, paths, expiry; HttpOnly and Secure as the server set
 * them, kept for the tests to check) and redirects followed by hand, so a
 * test sees every hop and stops where the app's redirect URI begins.
 */

export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expires: number | null;
  httpOnly: boolean;
  secure: boolean;
  sameSite: string | null;
}

export interface PageResponse {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

export class CookieJar {
  readonly cookies = new Map<string, StoredCookie>();

  /** Takes the Set-Cookie headers of an answer to `url`. */
  store(url: string, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const cookie: StoredCookie = {
        name,
        value,
        path: defaultPath(url),
        expires: null,
        httpOnly: false,
        secure: false,
        sameSite: null,
      };
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attributeValue = rest.join('=');
        switch (key.toLowerCase()) {
          case 'path':
            cookie.path = attributeValue || '/';
            break;
          case 'expires':
            cookie.expires = Date.parse(attributeValue);
            break;
          case 'max-age':
            cookie.expires = Date.now() + Number(attributeValue) * 1000;
            break;
          case 'httponly':
            cookie.httpOnly = true;
            break;
          case 'secure':
            cookie.secure = true;
            break;
          case 'samesite':
            cookie.sameSite = attributeValue.toLowerCase();
            break;
        }
      }
      const key = `${cookie.name};${cookie.path}`;
      if (cookie.expires !== null && cookie.expires <= Date.now()) this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
  }

  /** The Cookie header for `url`: cookies whose path covers it, longest path first. */
  headerFor(url: string): string {
    const path = new URL(url).pathname;
    const now = Date.now();
    return [...this.cookies.values()]
      .filter((cookie) => (cookie.expires === null || cookie.expires > now) && pathMatches(path, cookie.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  named(name: string): StoredCookie[] {
    return [...this.cookies.values()].filter((cookie) => cookie.name === name);
  }
}

function defaultPath(url: string): string {
  const path = new URL(url).pathname;
  return path.lastIndexOf('/') > 0 ? path.slice(0, path.lastIndexOf('/')) : '/';
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export class BrowserSession {
  readonly jar = new CookieJar();
  /** Every response, in order, for tests that look at a hop in the middle. */
  readonly history: PageResponse[] = [];

  constructor(private readonly userAgent = 'one_auth-tests browser') {}

  /** One request, no redirect followed. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<PageResponse> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...init.headers };
    const cookie = this.jar.headerFor(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const answer = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.jar.store(url, answer.headers);
    const response = { url, status: answer.status, headers: answer.headers, body: await answer.text() };
    this.history.push(response);
    return response;
  }

  /**
   * Follows redirects from a first request while they stay on `origin`; the
   * answer that is not a redirect there, or the first Location elsewhere
   * (the app's redirect URI) as `leftTo`.
   */
  async follow(
    url: string,
    origin: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<{ page: PageResponse; leftTo?: string }> {
    let page = await this.request(url, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || !location) return { page };
      const next = new URL(location, page.url).href;
      if (new URL(next).origin !== origin) return { page, leftTo: next };
      page = await this.request(next);
    }
    throw new Error(`more than 20 redirects from ${url}`);
  }
}

/** The value of a form field on a page (a hidden input), or undefined. */
export function fieldValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return match ? decodeHtml(match[1]) : undefined;
}

/** The action of the form that posts to a path ending with `suffix`. */
export function formAction(html: string, suffix: string): string | undefined {
  const match = new RegExp(`<form[^>]*action="([^"]*${suffix.replace(/[/.]/g, '\\$&')})"`).exec(html);
  return match ? decodeHtml(match[1]) : undefined;
}

export function decodeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
