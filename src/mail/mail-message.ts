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

/** The mail that carries a validation code: the six digits, plainly, in text and HTML. */
export function buildCodeMail(code: string, ttlMs: number, purpose: 'account' | 'email_change' = 'account'): MailContent {
  const why =
    purpose === 'email_change'
      ? 'It confirms this address as the new email of a one_auth account.'
      : 'It activates your account or sets a new password.';
  const minutes = Math.round(ttlMs / 60_000);
  const lifetime = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(ttlMs / 1000)} seconds`;
  return {
    subject: 'Your one_auth validation code',
    text: [
      `Your one_auth validation code is ${code}`,
      '',
      why,
      `It is valid for ${lifetime} and can be used once.`,
      'If you did not ask for it, ignore this message: nothing changes without the code.',
      '',
    ].join('\n'),
    html: [
      '<!doctype html><html><body style="font-family:sans-serif">',
      '<p>Your one_auth validation code is</p>',
      `<p style="font-size:28px;letter-spacing:4px;font-weight:bold">${code}</p>`,
      `<p>${why}</p>`,
      `<p>It is valid for ${lifetime} and can be used once.</p>`,
      '<p>If you did not ask for it, ignore this message: nothing changes without the code.</p>',
      '</body></html>',
    ].join(''),
  };
}
