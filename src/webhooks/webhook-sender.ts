import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';

/** An endpoint that takes longer than this has failed the attempt; it is retried later. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * POSTs one signed event: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature` per Standard Webhooks. node:http rather than fetch:
 * fetch refuses a list of "bad ports" (6000, 6665–6669, 10080, …) that an
 * internal endpoint may well use.
 */
export class WebhookSender {
  private readonly signer: Webhook;

  constructor(secret: string) {
    this.signer = new Webhook(secret);
  }

  /** Resolves on a 2xx answer; anything else (status, redirect, timeout, refused connection, abort) rejects. */
  send(url: string, messageId: string, body: string, abort: AbortSignal): Promise<void> {
    // The timestamp is the attempt's, so a receiver can refuse replays of old requests.
    const sentAt = new Date();
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'one_auth-webhooks',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': this.signer.sign(messageId, sentAt, body),
    };
    const signal = AbortSignal.any([abort, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise<void>((resolve, reject) => {
      const outgoing = request(url, { method: 'POST', headers, signal }, (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status <= 299) resolve();
          else reject(new Error(`endpoint answered ${status}`));
        });
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          new Error(signal.aborted ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s or shutting down` : (error.code ?? error.message)),
        ),
      );
      outgoing.end(body);
    });
  }
}
