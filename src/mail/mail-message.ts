import { randomBytes } from 'node:crypto';

/** The content of one message, as queued. */
export interface MailContent {
  subject: string;
  text: string;
  html?: string;
  /** The recipient, sealed with the content when the outbox row must not name it (see MailOutbox.enqueueUnnamed). */
  to?: string;
}

export interface MailMessage extends MailContent {
  to: string;
  /** The `Message-ID` header, `<id@domain>`: the same on every attempt at one outbox message. */
  messageId: string;
}

/** A new outbox message's own id: 128 random bits, in hex. */
export function newOutboxMessageId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The `Message-ID` of an outbox message: its id at the domain of the sender
 * address (`MAIL_FROM`, `Name <user@domain>` or `user@domain`), or at
 * `localhost` when that has none, as nodemailer does for the ids it makes.
 */
export function messageIdHeader(outboxMessageId: string, mailFrom: string): string {
  const address = /<([^<>]*)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  const at = address.lastIndexOf('@');
  const domain = at === -1 ? '' : address.slice(at + 1).trim();
  return `<${outboxMessageId}@${domain || 'localhost'}>`;
}
