/**
 * What the callback (53) tells the app at `return_to`, as `error`:
 * - `access_denied`: the person (or the provider) refused at the provider;
 * - `account_disabled`: the account is disabled by an operator;
 * - `link_required`: an account holds the address, and the provider is not
 *   trusted to have verified it: sign in another way and link (55);
 * - `verification_required`: no account held the address and the provider
 *   did not vouch for it: a code was mailed to it, as registration mails
 *   one (1): set a password with it (3), then link;
 * - `email_required`: the provider gave no address and nothing is linked;
 * - `already_linked`: (linking) this account of the provider signs another
 *   account in already;
 * - `invalid_response`: the provider's answer did not check out (code,
 *   state, nonce, ID token's signature, issuer or audience);
 * - `too_many_attempts`: past the login limits, or the code-mail limits;
 * - `server_error`: the provider could not be reached, or another failure.
 */
export const SIGN_IN_ERRORS = [
  'access_denied',
  'account_disabled',
  'link_required',
  'verification_required',
  'email_required',
  'already_linked',
  'invalid_response',
  'too_many_attempts',
  'server_error',
] as const;
export type SignInError = (typeof SIGN_IN_ERRORS)[number];

/**
 * How a callback ends: a login code for the app, a link made (or there
 * already), or a refusal. A `verification_required` names the address the
 * code went to, for the login pages to ask for it (never put in a URL).
 */
export type SignInOutcome =
  { kind: 'signed_in'; loginCode: string } | { kind: 'linked' } | { kind: 'refused'; error: SignInError; email?: string };

export const refused = (error: SignInError): SignInOutcome => ({ kind: 'refused', error });

/** A code was mailed to `email`, as registration mails one: it makes the account active with a password (3). */
export const verificationRequired = (email: string): SignInOutcome => ({ kind: 'refused', error: 'verification_required', email });

/**
 * The answer at `return_to`, its own query kept: `login_code`, `linked`
 * or `error`, and the app's `state` when it sent one. A fragment is never
 * used: the app's server reads the query.
 */
export function answerUrl(returnTo: string, outcome: SignInOutcome, appState: string | null): string {
  const url = new URL(returnTo);
  if (outcome.kind === 'signed_in') url.searchParams.set('login_code', outcome.loginCode);
  else if (outcome.kind === 'linked') url.searchParams.set('linked', 'true');
  else url.searchParams.set('error', outcome.error);
  if (appState !== null) url.searchParams.set('state', appState);
  return url.href;
}
