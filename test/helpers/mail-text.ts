import type { SmtpSink } from './smtp-sink.js';

/** The text of a received message with quoted-printable soft breaks and escapes undone. */
export function mailText(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\r\n/g, '\n');
}

/** Waits for a mail to an address whose subject line matches, and answers its decoded text. */
export async function waitForMail(smtp: SmtpSink, email: string, subject: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = smtp.mailsTo(email).find((candidate) => subject.test(mailText(candidate.raw)));
    if (mail) return mailText(mail.raw);
    if (Date.now() > deadline) throw new Error(`no mail matching ${subject} to ${email} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
