export const MAX_EMAIL_LENGTH = 254;
/** An address another active account holds. */
export const EMAIL_USED_MESSAGE = 'Email already used';

/** `Foo@X.com ` and `foo@x.com` are one account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
