import type { MailContent } from '../mail/mail-message.js';

export const CODE_MAIL_PURPOSE = 'validation_code';

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
