/**
 * What a browser does between redirects, for tests that walk a sign-in
 * through real servers over HTTP: it follows Location headers and keeps
 * each host's cookies. Small on purpose: no cookie attributes but the name
 * and value, which is all the providers in these tests need.
 */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>();

  header(url: URL): string {
    return [...(this.cookies.get(url.host)?.entries() ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  keep(url: URL, response: Response): void {
    const jar = this.cookies.get(url.host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    this.cookies.set(url.host, jar);
  }
}

/**
 * Follows redirects from `start` while they stay on `host`, as a browser
 * would, and answers the first URL that leaves it (the redirect back to the
 * relying party) without requesting it. `visit` may rewrite a URL before it
 * is requested (a test choosing the person, or tampering with a parameter).
 */
export async function followWithin(
  host: string,
  start: URL,
  jar: CookieJar,
  visit: (url: URL) => URL = (url) => url,
  maxHops = 12,
): Promise<URL> {
  let url = start;
  for (let hop = 0; hop < maxHops; hop++) {
    if (url.host !== host) return url;
    url = visit(url);
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.keep(url, response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`${url.pathname} answered ${response.status} instead of a redirect: ${(await response.text()).slice(0, 300)}`);
    }
    url = new URL(location, url);
  }
  throw new Error(`more than ${maxHops} redirects from ${start.href}`);
}
