import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token as a relying party received it, and what its checks of Back-Channel Logout 1.0 §2.6 found. */
export interface ReceivedLogout {
  claims: JWTPayload & { sid?: string; events?: Record<string, unknown> };
  header: { alg: string; kid?: string; typ?: string };
  /** Empty when every check of §2.6 passed: signature against the issuer's JWKS, iss, aud, iat, jti, events, sub or sid, no nonce. */
  problems: string[];
  raw: string;
}

/**
 * A relying party's back-channel logout endpoint inside the test process: it
 * verifies each logout token as the specification tells a client to (with
 * jose, independently of the service) and records it. `stop()` then
 * `start()` again on the same port is an outage the outbox must outlast.
 */
export class LogoutReceiver {
  readonly received: ReceivedLogout[] = [];
  /** Requests answered with an error (outage simulated by status). */
  refused = 0;
  /** This many requests from now on are answered 503. */
  failNext = 0;
  port = 0;
  private server: Server | undefined;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly issuer: string,
    private readonly clientId: () => string,
  ) {
    this.jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/backchannel-logout`;
  }

  async start(port = this.port): Promise<void> {
    const server = createServer((request, response) => {
      void readBody(request).then(async (raw) => {
        if (this.failNext > 0) {
          this.failNext -= 1;
          this.refused += 1;
          response.writeHead(503).end();
          return;
        }
        const token = new URLSearchParams(raw).get('logout_token') ?? '';
        this.received.push(await this.verify(token, request));
        response.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until `count` logout tokens have come, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedLogout[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} logout tokens, got ${this.received.length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.received;
  }

  private async verify(token: string, request: IncomingMessage): Promise<ReceivedLogout> {
    const problems: string[] = [];
    if (request.headers['content-type'] !== 'application/x-www-form-urlencoded')
      problems.push(`content-type ${request.headers['content-type']}`);
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.jwks, {
        issuer: this.issuer,
        audience: this.clientId(),
        typ: 'logout+jwt',
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['iat', 'jti'],
      });
      const claims = payload as ReceivedLogout['claims'];
      if (!claims.events || typeof claims.events[BACKCHANNEL_LOGOUT_EVENT] !== 'object') problems.push('no back-channel logout event');
      if (!claims.sub && !claims.sid) problems.push('neither sub nor sid');
      if ('nonce' in claims) problems.push('a nonce');
      return { claims, header: protectedHeader as ReceivedLogout['header'], problems, raw: token };
    } catch (error) {
      problems.push(`not verified: ${(error as Error).message}`);
      return { claims: {}, header: { alg: '' }, problems, raw: token };
    }
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
