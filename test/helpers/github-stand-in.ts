import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A GitHub user as the stand-in knows them: `/user` and `/user/emails`. */
export interface GitHubPerson {
  id: number;
  login: string;
  /** The public address of the profile; null when the person keeps it private (the default). */
  publicEmail: string | null;
  emails: { email: string; primary: boolean; verified: boolean; visibility: 'public' | 'private' | null }[];
}

interface Grant {
  clientId: string;
  redirectUri: string;
  scope: string;
  challenge: string | null;
  login: string;
}

/**
 * GitHub cannot be reached from the test machines: this is a stand-in, a
 * small HTTP server implementing what GitHub documents for OAuth apps, as
 * one_auth uses it:
 * - `GET /login/oauth/authorize` (client_id, redirect_uri, scope, state,
 *   code_challenge, code_challenge_method): GitHub's login and consent page;
 *   here the browser names the person (`login=`) and is sent straight back
 *   to redirect_uri with `code` and `state`;
 * - `POST /login/oauth/access_token` (form: client_id, client_secret, code,
 *   redirect_uri, code_verifier; `Accept: application/json`): a bearer token,
 *   or, as GitHub does, a 200 with `{"error": "bad_verification_code"}`;
 * - `GET /api/v3/user` and `GET /api/v3/user/emails` (a GitHub Enterprise
 *   Server's API paths; api.github.com has the same without /api/v3):
 *   the profile (`email` null when private) and every address with its
 *   `primary` and `verified` flags (scope `user:email`).
 * Its web address goes in as the provider's `--issuer`.
 */
export class GitHubStandIn {
  readonly people = new Map<string, GitHubPerson>();
  readonly clients = new Map<string, string>();
  private readonly codes = new Map<string, Grant>();
  private readonly tokens = new Map<string, { login: string; scope: string }>();
  private server!: Server;
  web = '';

  static async start(): Promise<GitHubStandIn> {
    const standIn = new GitHubStandIn();
    standIn.server = createServer((request, response) => void standIn.handle(request, response));
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.web = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    return standIn;
  }

  /** An OAuth app: its client id and secret. */
  addClient(): { clientId: string; clientSecret: string } {
    const clientId = `Iv1.${randomBytes(8).toString('hex')}`;
    const clientSecret = randomBytes(20).toString('hex');
    this.clients.set(clientId, clientSecret);
    return { clientId, clientSecret };
  }

  /** Walks the browser from one_auth's redirect through GitHub's page as `login`; answers the callback URL it is sent to. */
  async authorize(redirect: string, login: string): Promise<URL> {
    const url = new URL(redirect);
    url.searchParams.set('login', login);
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
    return new URL(location);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url!, this.web);
    const json = (status: number, body: unknown): void =>
      void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') return this.authorizePage(url, response);
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      return json(200, this.exchange(new URLSearchParams(await readBody(request)), request.headers.authorization));
    }
    const token = /^(?:Bearer|token) (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const holder = token ? this.tokens.get(token) : undefined;
    const person = holder ? this.people.get(holder.login) : undefined;
    if (!holder || !person) return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (request.method === 'GET' && url.pathname === '/api/v3/user') {
      return json(200, { login: person.login, id: person.id, email: person.publicEmail, name: null });
    }
    if (request.method === 'GET' && url.pathname === '/api/v3/user/emails') {
      if (!holder.scope.split(/[ ,]/).includes('user:email')) return json(404, { message: 'Not Found' });
      return json(200, person.emails);
    }
    json(404, { message: 'Not Found' });
  }

  private authorizePage(url: URL, response: ServerResponse): void {
    const clientId = url.searchParams.get('client_id') ?? '';
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    const login = url.searchParams.get('login') ?? '';
    if (!this.clients.has(clientId) || !redirectUri) {
      response.writeHead(404).end('unknown application');
      return;
    }
    const back = new URL(redirectUri);
    const state = url.searchParams.get('state');
    if (login === 'deny' || !this.people.has(login)) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      const code = randomBytes(10).toString('hex');
      const method = url.searchParams.get('code_challenge_method');
      const challenge = url.searchParams.get('code_challenge');
      this.codes.set(code, {
        clientId,
        redirectUri,
        scope: url.searchParams.get('scope') ?? '',
        challenge: method === 'S256' ? challenge : null,
        login,
      });
      back.searchParams.set('code', code);
    }
    if (state !== null) back.searchParams.set('state', state);
    response.writeHead(302, { location: back.href }).end();
  }

  /** GitHub answers token errors with a 200 and an `error` field. */
  private exchange(form: URLSearchParams, authorization: string | undefined): Record<string, string> {
    const bad = { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' };
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    const basic = /^Basic (\S+)$/i.exec(authorization ?? '')?.[1];
    if (basic) [clientId, clientSecret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent);
    if (this.clients.get(clientId) !== clientSecret) {
      return { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' };
    }
    const code = form.get('code') ?? '';
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || grant.clientId !== clientId) return bad;
    if (form.has('redirect_uri') && form.get('redirect_uri') !== grant.redirectUri) {
      return {
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
      };
    }
    const verifier = form.get('code_verifier');
    if (grant.challenge !== null && (!verifier || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge))
      return bad;
    const accessToken = `gho_${randomBytes(18).toString('base64url')}`;
    this.tokens.set(accessToken, { login: grant.login, scope: grant.scope });
    return { access_token: accessToken, token_type: 'bearer', scope: grant.scope };
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
