import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { CookieJar, followWithin } from './browser-hops.js';

/** A person at the upstream provider, with what it says about their address. */
export interface UpstreamUser {
  email?: string;
  email_verified?: boolean;
}

/** What the test does to the upstream's token answer before it leaves (a forged ID token, say). */
export type TokenTamper = (body: Record<string, unknown>, keys: UpstreamKeys) => Record<string, unknown>;

/** The upstream's signing key, for tests that sign an ID token themselves, and a stranger's. */
export interface UpstreamKeys {
  kid: string;
  privateKey: KeyObject;
  sign(claims: Record<string, unknown>, key?: KeyObject, kid?: string): string;
}

/**
 * A real OpenID Provider on a loopback port (the `oidc-provider` package),
 * standing in for Google or any other upstream: discovery, JWKS, a code
 * flow with PKCE, ID tokens signed RS256, userinfo. Its people are set by
 * the test (`users`), with the address and `email_verified` each case
 * needs; its login and consent pages are the test's: an interaction route
 * that signs in whoever the browser names (`?as=sub`) or refuses
 * (`?as=deny`), driven over HTTP by `authorize`.
 */
export class UpstreamProvider {
  readonly users = new Map<string, UpstreamUser>();
  /** Applied once to the next token answer, then cleared. */
  tamperNextToken: TokenTamper | null = null;
  /**
   * When set, an interaction without `?as=` shows a login page of the
   * test's own, for a real browser: an email field naming one of `users`,
   * and a button; an address it does not know is refused.
   */
  loginPage: string | null = null;
  readonly keys: UpstreamKeys;
  private provider!: Provider;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly client: { clientId: string; clientSecret: string },
  ) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    this.keys = { kid, privateKey, sign: (claims, key = privateKey, signingKid = kid) => signJwt(claims, key, signingKid) };
  }

  /** Starts it on a loopback port, with one confidential client whose redirect URIs are given. */
  static async start(redirectUris: string[], clientId = `one-auth-${randomUUID().slice(0, 8)}`): Promise<UpstreamProvider> {
    let handle: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
    const server = createServer((request, response) => handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const upstream = new UpstreamProvider(server, issuer, { clientId, clientSecret: randomUUID() + randomUUID() });
    upstream.provider = upstream.build(redirectUris);
    const callback = upstream.provider.callback();
    handle = (request, response) => {
      if (request.url?.startsWith('/interaction/')) void upstream.interaction(request, response);
      else void callback(request, response);
    };
    return upstream;
  }

  private build(redirectUris: string[]): Provider {
    const jwk = { ...this.keys.privateKey.export({ format: 'jwk' }), kid: this.keys.kid, use: 'sig', alg: 'RS256' };
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.client.clientId,
          client_secret: this.client.clientSecret,
          redirect_uris: redirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [jwk] },
      // The address goes in the ID token, as Google puts it there.
      conformIdTokenClaims: false,
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      findAccount: (_ctx, sub) => {
        const user = this.users.get(sub);
        if (!user) return undefined;
        return { accountId: sub, claims: () => ({ sub, ...user }) };
      },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      cookies: { keys: [randomUUID()] },
      pkce: { required: () => true },
      ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
      renderError: (ctx, out) => {
        ctx.type = 'application/json';
        ctx.body = out;
      },
    });
    provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
      await next();
      if (ctx.path === '/token' && ctx.status === 200 && this.tamperNextToken) {
        const tamper = this.tamperNextToken;
        this.tamperNextToken = null;
        ctx.body = tamper(ctx.body as Record<string, unknown>, this.keys);
      }
    });
    return provider;
  }

  /** The test's login and consent page: `?as=sub` signs that person in and consents; `?as=deny` refuses. */
  private async interaction(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      let as = new URL(request.url!, this.issuer).searchParams.get('as');
      if (!as && this.loginPage !== null) {
        if (request.method === 'GET') {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.loginPageHtml(request.url!));
          return;
        }
        const email = new URLSearchParams(await bodyOf(request)).get('email');
        as = [...this.users].find(([, user]) => user.email === email)?.[0] ?? 'deny';
      }
      const details = await this.provider.interactionDetails(request, response);
      if (!as || as === 'deny') {
        await this.provider.interactionFinished(request, response, { error: 'access_denied', error_description: 'The person said no' });
        return;
      }
      const grant = new this.provider.Grant({ accountId: as, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await this.provider.interactionFinished(
        request,
        response,
        { login: { accountId: as }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  }

  private loginPageHtml(action: string): string {
    return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in – ${this.loginPage}</title></head>
      <body><h1>${this.loginPage}</h1><form method="post" action="${action}">
      <label for="email">Email</label> <input id="email" name="email" type="email" autocomplete="username">
      <button type="submit">Sign in</button></form></body></html>`;
  }

  /**
   * Walks a browser from one_auth's redirect (52) through this provider,
   * signing in as `sub` (or refusing, with `deny`), and answers the URL it
   * sends the browser back to: one_auth's callback, not yet requested.
   * `rewrite` may change the authorization request before it is sent (a
   * test playing a tampering browser).
   */
  async authorize(redirect: string, as: string, rewrite: (url: URL) => URL = (url) => url): Promise<URL> {
    const jar = new CookieJar();
    const host = new URL(this.issuer).host;
    return followWithin(host, new URL(redirect), jar, (url) => {
      if (url.pathname === '/auth') return rewrite(url);
      if (url.pathname.startsWith('/interaction/')) {
        const withPerson = new URL(url);
        withPerson.searchParams.set('as', as);
        return withPerson;
      }
      return url;
    });
  }

  /** The claims of a JWT, unverified (for a test that builds a forged one from a real one). */
  static claimsOf(jwt: string): Record<string, unknown> {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An RS256 JWT, compact form, signed with node:crypto (the test's own, not the service's, code). */
function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/** A stranger's key: an ID token signed with it claims to be the upstream's. */
export function strangerKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
