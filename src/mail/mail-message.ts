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
}
