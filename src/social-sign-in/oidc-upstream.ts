import * as oidc from 'openid-client';
import { addressOf, type FlowSecrets, isVerified, type Upstream, type UpstreamIdentity } from './upstream.js';

/** Seconds any request to a provider may take. */
export const PROVIDER_TIMEOUT_S = 10;

/**
 * An OpenID Connect provider, as discovery describes it (openid-client).
 * The ID token is checked for its issuer, audience, expiry and nonce, and
 * its signature against the provider's published keys (JWKS): the token
 * endpoint's TLS alone is not taken as proof, so a token signed by another
 * key is refused even from the right endpoint.
 */
export class OidcUpstream implements Upstream {
  private constructor(private readonly config: oidc.Configuration) {}

  /** Discovery of the issuer (its metadata must name that issuer exactly); `insecure` for an http issuer on loopback. */
  static async discover(issuer: string, clientId: string, clientSecret: string, insecure: boolean): Promise<OidcUpstream> {
    const execute = [oidc.enableNonRepudiationChecks, ...(insecure ? [oidc.allowInsecureRequests] : [])];
    const probe = await oidc.discovery(new URL(issuer), clientId, clientSecret, undefined, { execute, timeout: PROVIDER_TIMEOUT_S });
    const metadata = probe.serverMetadata();
    // RFC 8414: a server that lists no methods takes client_secret_basic; some (GitHub-like) take only the body.
    const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    const auth = methods.includes('client_secret_basic') ? oidc.ClientSecretBasic(clientSecret) : oidc.ClientSecretPost(clientSecret);
    const config = new oidc.Configuration(metadata, clientId, clientSecret, auth);
    config.timeout = PROVIDER_TIMEOUT_S;
    for (const step of execute) step(config);
    return new OidcUpstream(config);
  }

  async authorizationUrl({ state, nonce, verifier }: FlowSecrets, redirectUri: string): Promise<URL> {
    return oidc.buildAuthorizationUrl(this.config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  async identify(callbackUrl: URL, { state, nonce, verifier }: FlowSecrets): Promise<UpstreamIdentity> {
    const tokens = await oidc.authorizationCodeGrant(this.config, callbackUrl, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    let { email, email_verified: emailVerified } = claims;
    // Claims of the email scope may come in the ID token (Google) or only from userinfo (the default of some servers).
    if (email === undefined && this.config.serverMetadata().userinfo_endpoint) {
      const info = await oidc.fetchUserInfo(this.config, tokens.access_token, claims.sub);
      ({ email, email_verified: emailVerified } = info);
    }
    return { subject: claims.sub, email: addressOf(email), emailVerified: isVerified(emailVerified) };
  }
}
