import { Webhook } from 'standardwebhooks';

/** An endpoint that takes longer than this has failed the attempt; it is retried later. */
const REQUEST_TIMEOUT_MS = 15_000;

/** POSTs one signed event: `webhook-id`, `webhook-timestamp`, `webhook-signature` per Standard Webhooks. */
export class WebhookSender {
  private readonly signer: Webhook;

  constructor(secret: string) {
    this.signer = new Webhook(secret);
  }

  /** Resolves on a 2xx answer; anything else (status, redirect, timeout, refused connection) throws. */
  async send(url: string, messageId: string, body: string): Promise<void> {
    // The timestamp is the attempt's, so a receiver can refuse replays of old requests.
    const sentAt = new Date();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'one_auth-webhooks',
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': this.signer.sign(messageId, sentAt, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`endpoint answered ${response.status}`);
  }
}
