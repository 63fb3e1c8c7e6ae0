import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { noteSecret } from './secrets.js';

export interface ReceivedMail {
  to: string[];
  raw: string;
  receivedAt: number;
  /** The message's `Message-ID` header, as sent; undefined when it has none. */
  messageId: string | undefined;
  /** The name the client gave in EHLO (nodemailer's `name` option, which SMTP_URL's query can set). */
  client: string;
}

/** The form of the Message-ID every outbox message carries: 32 random hex digits at MAIL_FROM's domain. */
export function outboxMessageId(domain: string): RegExp {
  return new RegExp(`^<[0-9a-f]{32}@${domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>$`);
}

/**
 * A real SMTP server inside the test process: the service delivers its code
 * mails here over the network, and tests read the codes from what arrived.
 */
export class SmtpSink {
  /** Messages accepted: the server has taken responsibility for them. */
  readonly mails: ReceivedMail[] = [];
  /** Messages read to their end and then refused (see refuseAfterDataWith). */
  readonly refused: ReceivedMail[] = [];
  /** When set, every transaction is refused with this SMTP reply (simulates an outage). */
  refuseWith: string | null = null;
  /**
   * When set, every message is read to its end and then refused with this
   * reply: a server that fails to queue what it received. The client's
   * attempt is seen (in `refused`); nothing is delivered.
   */
  refuseAfterDataWith: string | null = null;
  /** When set, each transaction waits this long before MAIL FROM is answered (a slow server: mail stays claimed, unsent). */
  delayMs = 0;
  /**
   * When set, a message to this address is accepted (it joins `mails`) but
   * the reply to the end of its DATA is held back until releaseHeld(): the
   * client is left inside the conversation, not knowing it was accepted.
   */
  holdReplyTo: string | null = null;
  private readonly heldReplies: Array<() => void> = [];
  private readonly holdWaiters: Array<(mail: ReceivedMail) => void> = [];
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
          callback(smtpError(this.refuseWith));
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
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            raw,
            receivedAt: Date.now(),
            messageId: headerOf(raw, 'Message-ID'),
            client: String(session.hostNameAppearsAs),
          };
          if (this.refuseAfterDataWith) {
            this.refused.push(mail);
            callback(smtpError(this.refuseAfterDataWith));
            return;
          }
          this.mails.push(mail);
          if (this.holdReplyTo && mail.to.includes(this.holdReplyTo.toLowerCase())) {
            this.heldReplies.push(() => callback());
            for (const waiter of this.holdWaiters.splice(0)) waiter(mail);
            return;
          }
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

  /** Resolves with the next message whose reply is held (see holdReplyTo). */
  waitForHeld(timeoutMs = 20_000): Promise<ReceivedMail> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply held within ${timeoutMs} ms`)), timeoutMs);
      this.holdWaiters.push((mail) => {
        clearTimeout(timer);
        resolve(mail);
      });
    });
  }

  /** Sends the held replies (to clients that may be gone by now) and holds no more. */
  releaseHeld(): void {
    this.holdReplyTo = null;
    for (const reply of this.heldReplies.splice(0)) reply();
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

  /**
   * The code of the first code mail to an address after its first `seen`
   * mails, notices in between passed over: for a test that asks for a code
   * while other mail to the address may still be on its way.
   */
  async waitForCodeAfter(email: string, seen: number, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = this.mailsTo(email)
        .slice(seen)
        .find((candidate) => /validation code is \d{6}\b/.test(candidate.raw));
      if (mail) return extractCode(mail.raw);
      if (Date.now() > deadline) throw new Error(`no code mail to ${email} after its first ${seen} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * What is wrong with the Message-IDs seen: every message, delivered or
   * refused, carries one of the outbox's form at `domain`, and no two delivered messages
   * share one (a retry is a refused attempt; only a crash after acceptance
   * may deliver one twice).
   */
  messageIdProblems(domain: string): string[] {
    const problems: string[] = [];
    const form = outboxMessageId(domain);
    for (const mail of [...this.mails, ...this.refused]) {
      if (!form.test(mail.messageId ?? '')) problems.push(`mail to ${mail.to.join(', ')} has Message-ID ${mail.messageId}`);
    }
    const seen = new Set<string>();
    for (const { messageId, to } of this.mails) {
      if (messageId && seen.has(messageId)) problems.push(`Message-ID ${messageId} delivered twice (to ${to.join(', ')})`);
      if (messageId) seen.add(messageId);
    }
    return problems;
  }

  async stop(): Promise<void> {
    this.releaseHeld();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function smtpError(reply: string): Error {
  const error = new Error(reply) as Error & { responseCode: number };
  error.responseCode = 451;
  return error;
}

/** A header's value from a raw message (folded lines joined), or undefined. */
export function headerOf(raw: string, name: string): string | undefined {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((text) => text.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** The code as the text part states it: "Your one_auth validation code is 123456". */
export function extractCode(raw: string): string {
  const match = /validation code is (\d{6})\b/.exec(raw);
  if (!match) throw new Error('mail carries no code');
  return match[1];
}
