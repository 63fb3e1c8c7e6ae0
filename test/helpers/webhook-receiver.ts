import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  signature: string;
  /** Whether the signature checked out against the secret (computed here, independently of the service). */
  verified: boolean;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  raw: string;
  receivedAt: number;
}

/**
 * A real HTTP endpoint inside the test process. It checks every request's
 * Standard Webhooks signature with its own HMAC-SHA256 and records what came.
 * `stop()` then `start()` again on the same port simulates an outage.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** The `webhook-id` of each request answered with an error status. */
  readonly refusedIds: string[] = [];
  /** When set, every request is answered with this status (and not recorded as received). */
  failWith: number | null = null;
  /** This many requests from now on are answered 503. */
  failNext = 0;
  /** How long each answer takes, as a slow endpoint's would. */
  delayMs = 0;
  port = 0;
  private server: Server | undefined;

  constructor(private readonly secret: string) {}

  async start(port = this.port): Promise<void> {
    const server = createServer((request, response) => {
      void readBody(request).then(async (raw) => {
        if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        if (this.failWith !== null || this.failNext > 0) {
          if (this.failWith === null) this.failNext -= 1;
          this.refusedIds.push(header(request, 'webhook-id'));
          response.writeHead(this.failWith ?? 503).end();
          return;
        }
        this.received.push(this.record(request, raw));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Closes the port: connections are refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Events about one account, in arrival order. */
  eventsOf(userId: number): ReceivedWebhook[] {
    return this.received.filter((hook) => hook.body.data.user_id === userId);
  }

  async waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`webhooks not received within ${timeoutMs} ms (got ${this.received.length})`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private record(request: IncomingMessage, raw: string): ReceivedWebhook {
    const id = header(request, 'webhook-id');
    const timestamp = header(request, 'webhook-timestamp');
    const signature = header(request, 'webhook-signature');
    return {
      id,
      timestamp: Number(timestamp),
      signature,
      verified: verifySignature(this.secret, id, timestamp, raw, signature),
      body: JSON.parse(raw) as ReceivedWebhook['body'],
      raw,
      receivedAt: Date.now(),
    };
  }
}

/** Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by the base64 after `whsec_`. */
export function verifySignature(secret: string, id: string, timestamp: string, body: string, signatures: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
