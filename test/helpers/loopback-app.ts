import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthorizationRequest, authorizationRequest, client, exchangeCode } from './oidc-rp.js';

/*
 * A small web app that signs its users in with one_auth, as a real one
 * would: openid-client builds its authorization URL (PKCE S256, state,
 * nonce) with a redirect to this app's loopback callback (RFC 8252), and
 * the callback exchanges the code, checking state, nonce, PKCE and the ID
 * token's signature against the provider's JWKS, before it answers the
 * browser. A test opens the URL in a browser and reads what the app got.
 */

/** What the app's callback got: tokens from the exchanged code, or the error the provider sent back. */
export type Outcome =
  | { kind: 'tokens'; callback: URL; tokens: Awaited<ReturnType<typeof exchangeCode>> }
  | { kind: 'error'; callback: URL; error: string; description: string | null }
  | { kind: 'exchange-failed'; callback: URL; message: string };

/** One sign-in the app started: the URL to open, and what its callback will get. */
export interface Flow {
  url: string;
  request: AuthorizationRequest;
  outcome: Promise<Outcome>;
}

interface Pending {
  config: client.Configuration;
  request: AuthorizationRequest;
  settle: (outcome: Outcome) => void;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

export class LoopbackApp {
  private readonly pending = new Map<string, Pending>();
  /** The URLs the browser came back to after a logout, in order. */
  readonly signedOut: URL[] = [];

  private readonly server: Server = createServer((request, response) => void this.handle(request, response));
  /** `http://127.0.0.1:<port>`, once started. */
  origin = '';

  private constructor() {}

  static async start(): Promise<LoopbackApp> {
    const app = new LoopbackApp();
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    app.origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    return app;
  }

  get redirectUri(): string {
    return `${this.origin}/callback`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.origin}/signed-out`;
  }

  /** A new sign-in through `config`'s client: its authorization URL, and the promise of what the callback gets. */
  async begin(config: client.Configuration, parameters: Record<string, string> = {}): Promise<Flow> {
    const request = await authorizationRequest(config, { redirect_uri: this.redirectUri, ...parameters });
    let settle!: (outcome: Outcome) => void;
    const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
    this.pending.set(request.state, { config, request, settle });
    return { url: request.url, request, outcome };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    if (url.pathname === '/signed-out') {
      this.signedOut.push(url);
      return this.page(response, 200, 'Signed out', '<p>You are signed out of the app.</p>');
    }
    const pending = url.pathname === '/callback' ? this.pending.get(url.searchParams.get('state') ?? '') : undefined;
    if (!pending) return this.page(response, 400, 'Unknown sign-in', '<p>This app did not start that sign-in.</p>');
    this.pending.delete(pending.request.state);
    const error = url.searchParams.get('error');
    if (error) {
      pending.settle({ kind: 'error', callback: url, error, description: url.searchParams.get('error_description') });
      return this.page(response, 200, 'Not signed in', `<p>The provider said: <code>${escapeHtml(error)}</code></p>`);
    }
    try {
      const tokens = await exchangeCode(pending.config, url, pending.request);
      pending.settle({ kind: 'tokens', callback: url, tokens });
      this.page(response, 200, 'Signed in', `<p>Welcome, <code>${escapeHtml(String(tokens.claims()?.sub))}</code>.</p>`);
    } catch (failure) {
      pending.settle({ kind: 'exchange-failed', callback: url, message: (failure as Error).message });
      this.page(response, 502, 'Sign-in failed', `<p>${escapeHtml((failure as Error).message)}</p>`);
    }
  }

  private page(response: ServerResponse, status: number, heading: string, body: string): void {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`<!doctype html><html lang="en"><title>${heading} – app</title><h1>${heading}</h1>${body}</html>`);
  }
}
