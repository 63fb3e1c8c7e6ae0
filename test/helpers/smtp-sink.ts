import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { noteSecret } from './secrets.js';

export interface ReceivedMail {
  to: string[];
  raw: string;
  receivedAt: number;
}

/**
 * A real SMTP server inside the test process: the service delivers its code
 * mails here over the network, and tests read the codes from what arrived.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  /** When set, every transaction is refused with this SMTP reply (simulates an outage). */
  refuseWith: string | null = null;
  /** When set, each transaction waits this long before MAIL FROM is answered (a slow server: mail stays claimed, unsent). */
  delayMs = 0;
  private server: SMTPServer | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onMailFrom: (_address, _session, callback) => {
        if (this.delayMs > 0) {
          setTimeout(() => callback(), this.delayMs);
          return;
        }
        if (this.refuseWith) {
          const error = new Error(this.refuseWith) as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          noteSecret(/validation code is (\d{6})\b/.exec(raw)?.[1]);
          this.mails.push({
            to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            raw,
            receivedAt: Date.now(),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  mailsTo(email: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.includes(email.toLowerCase()));
  }

  /** Waits for the n-th mail to an address (1-based) and returns the code it carries. */
  async waitForCode(email: string, nth = 1, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = this.mailsTo(email)[nth - 1];
      if (mail) return extractCode(mail.raw);
      if (Date.now() > deadline) throw new Error(`no mail #${nth} to ${email} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The code as the text part states it: "Your one_auth validation code is 123456". */
export function extractCode(raw: string): string {
  const match = /validation code is (\d{6})\b/.exec(raw);
  if (!match) throw new Error('mail carries no code');
  return match[1];
}
