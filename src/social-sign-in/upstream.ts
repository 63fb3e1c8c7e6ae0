/** Who the provider says signed in: its stable id of the person, and the address it gives, verified or not. */
export interface UpstreamIdentity {
  subject: string;
  /** Lower-cased and trimmed; null when the provider gave none. */
  email: string | null;
  emailVerified: boolean;
}

/** What a flow keeps between the redirect and the callback (PKCE verifier, nonce, state), to prove the answer is its own. */
export interface FlowSecrets {
  state: string;
  nonce: string;
  verifier: string;
}

/** The provider could not be reached or answered with a failure of its own: nothing was learnt about the person. */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
}

/** One way of talking to a provider: OpenID Connect, or GitHub's OAuth 2 and REST API. */
export interface Upstream {
  /** Where to send the browser: the provider's authorization endpoint with code, PKCE S256, state and (OpenID) nonce. */
  authorizationUrl(secrets: FlowSecrets, redirectUri: string): Promise<URL>;
  /**
   * The callback's answer checked (state, issuer), the code exchanged with
   * the PKCE verifier, and the person it stands for. Throws when anything
   * does not check out.
   */
  identify(callbackUrl: URL, secrets: FlowSecrets): Promise<UpstreamIdentity>;
}

/** Network failures and time-outs: the provider is unreachable, not lying. */
export function isUnreachable(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  if (name === 'AbortError' || name === 'TimeoutError' || error instanceof ProviderUnavailableError) return true;
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/** `email_verified` as providers send it: a boolean, or (some) the string "true". */
export function isVerified(claim: unknown): boolean {
  return claim === true || claim === 'true';
}

/** An address as accounts hold them, or null when it is not one. */
export function addressOf(claim: unknown): string | null {
  if (typeof claim !== 'string') return null;
  const email = claim.trim().toLowerCase();
  return email.length > 0 && email.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}
