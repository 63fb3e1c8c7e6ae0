// What O1–O3 need at the OpenID Provider, made the way an app and a browser
// make it: a first-party app registered by the clients command, browser
// sessions signed in through the login pages (one password login each),
// then code flows with PKCE under those sessions (`prompt=none`), each
// giving an access token and a refresh token.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { URLSearchParams } from 'node:url';
import { SEEDED_PASSWORD } from './seed.mjs';

export const REDIRECT_URI = 'https://app.example.com/callback';
const SCOPE = 'openid profile email offline_access';

const base64url = (buffer) => buffer.toString('base64url');
const challengeOf = (verifier) => base64url(createHash('sha256').update(verifier).digest());

/** A code verifier and its S256 challenge (RFC 7636). */
export function pkcePair() {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: challengeOf(verifier) };
}

/** The app, registered by `node dist/cli.js clients create`, as an operator does. */
function registerApp(service) {
  const run = spawnSync(process.execPath, ['dist/cli.js', 'clients', 'create', 'Bench app', '--redirect-uri', REDIRECT_URI, '--first-party'], {
    env: { ...process.env, ...service.env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`clients create failed: ${run.stderr}`);
  const value = (key) => new RegExp(`^${key}=(.+)$`, 'm').exec(run.stdout)[1];
  const clientId = value('client_id');
  const clientSecret = value('client_secret');
  return { clientId, clientSecret, basic: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` };
}

/** The authorization request's path and query, with a fresh state and nonce. */
export function authorizePath(issuerPath, app, challenge, extra = {}) {
  const query = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: SCOPE,
    state: base64url(randomBytes(12)),
    nonce: base64url(randomBytes(12)),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return `${issuerPath}/auth?${query}`;
}

/** The token exchange's form body. */
export const codeExchangeBody = (code, verifier) =>
  new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }).toString();

/** A browser's cookies, by name (the provider's paths all lie under the issuer's). */
class Cookies {
  values = new Map();

  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a))) this.values.delete(name);
      else this.values.set(name, pair.slice(eq + 1));
    }
  }

  get header() {
    return [...this.values].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** The browser session's cookies only: what a signed-in browser sends with a new authorization request. */
  get sessionHeader() {
    return [...this.values]
      .filter(([name]) => name.startsWith('_session'))
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  }
}

async function browse(origin, cookies, path, init = {}) {
  const response = await fetch(new URL(path, origin), {
    ...init,
    redirect: 'manual',
    headers: { ...init.headers, cookie: cookies.header },
  });
  cookies.take(response);
  return response;
}

async function exchange(origin, app, code, verifier) {
  const response = await fetch(`${origin}${app.issuerPath}/token`, {
    method: 'POST',
    headers: { authorization: app.basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: codeExchangeBody(code, verifier),
  });
  if (response.status !== 200) throw new Error(`token exchange answered ${response.status}: ${await response.text()}`);
  return response.json();
}

const codeOf = (location) => new URL(location).searchParams.get('code');

/** One sign-in through the login pages: the authorization request, the sign-in page, its form, back to the app. */
async function signIn(origin, app, user) {
  const cookies = new Cookies();
  const { verifier, challenge } = pkcePair();
  let response = await browse(origin, cookies, authorizePath(app.issuerPath, app, challenge));
  const pagePath = response.headers.get('location');
  response = await browse(origin, cookies, pagePath);
  const page = await response.text();
  const action = /<form[^>]*action="([^"]*\/login)"/.exec(page)?.[1];
  const csrf = /name="csrf" value="([^"]*)"/.exec(page)?.[1];
  if (!action || !csrf) throw new Error(`no sign-in form at ${pagePath}: ${response.status}`);
  response = await browse(origin, cookies, action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email: user.email, password: SEEDED_PASSWORD }).toString(),
  });
  for (let hops = 0; hops < 5 && !response.headers.get('location')?.startsWith(REDIRECT_URI); hops++) {
    response = await browse(origin, cookies, response.headers.get('location'));
  }
  const location = response.headers.get('location');
  if (!location?.startsWith(REDIRECT_URI)) throw new Error(`the sign-in did not come back to the app: ${response.status}`);
  return { cookie: cookies.sessionHeader, tokens: await exchange(origin, app, codeOf(location), verifier) };
}

/** A code flow under a signed-in browser session, without a page: `prompt=none`, then the exchange. */
async function silentFlow(origin, app, session) {
  const { verifier, challenge } = pkcePair();
  const response = await fetch(new URL(authorizePath(app.issuerPath, app, challenge, { prompt: 'none' }), origin), {
    redirect: 'manual',
    headers: { cookie: session.cookie },
  });
  const location = response.headers.get('location') ?? '';
  const code = location.startsWith(REDIRECT_URI) ? codeOf(location) : null;
  if (!code) throw new Error(`prompt=none answered ${response.status} ${location}`);
  return exchange(origin, app, code, verifier);
}

/** Runs `work(i)` for i < count, `concurrency` at a time. */
async function inParallel(count, concurrency, work) {
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

/**
 * `sessions` seeded accounts sign in through the login pages; under each
 * session `flowsPerSession` code flows follow. Answers the app, the
 * sessions (their cookies), and the refresh and access tokens issued.
 */
export async function seedOidc(service, users, { sessions, flowsPerSession }) {
  const origin = new URL(service.url).origin;
  const app = { ...registerApp(service), issuerPath: '/one_auth/oidc' };
  const signedIn = await inParallel(sessions, 4, (i) => signIn(origin, app, users[i]));
  const flows = await inParallel(sessions * flowsPerSession, 10, (i) => silentFlow(origin, app, signedIn[i % sessions]));
  const issued = [...signedIn.map((session) => session.tokens), ...flows];
  return {
    app,
    sessions: signedIn.map(({ cookie }) => ({ cookie })),
    refreshTokens: issued.map((tokens) => tokens.refresh_token),
    accessTokens: issued.map((tokens) => tokens.access_token),
  };
}
