import * as oidc from 'openid-client';
import { GITHUB_WEB } from '../sign-in-providers/provider-input.js';
import { PROVIDER_TIMEOUT_S } from './oidc-upstream.js';
import { addressOf, type FlowSecrets, ProviderUnavailableError, type Upstream, type UpstreamIdentity } from './upstream.js';

/** GitHub's REST API version these calls are written for. */
const API_VERSION = '2022-11-28';

interface GitHubUser {
  id?: unknown;
}

interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/**
 * GitHub, which speaks OAuth 2 but not OpenID Connect: its documented
 * authorize and token endpoints (with PKCE S256 and state) through
 * openid-client's OAuth 2 calls, then its REST API for who signed in.
 * The subject is GitHub's numeric user id (a login can be renamed and
 * taken by someone else). The address is the primary one from the
 * verified-emails API (`GET /user/emails`, scope `user:email`), which also
 * answers when the person keeps their address private; it counts as
 * verified only when GitHub says so.
 *
 * `web` is https://github.com, or a GitHub Enterprise Server, whose API is
 * under /api/v3 of the same host.
 */
export class GitHubUpstream implements Upstream {
  private readonly config: oidc.Configuration;
  private readonly api: string;

  constructor(web: string, clientId: string, clientSecret: string, insecure: boolean) {
    this.api = web === GITHUB_WEB ? 'https://api.github.com' : `${web}/api/v3`;
    this.config = new oidc.Configuration(
      { issuer: web, authorization_endpoint: `${web}/login/oauth/authorize`, token_endpoint: `${web}/login/oauth/access_token` },
      clientId,
      clientSecret,
      oidc.ClientSecretPost(clientSecret),
    );
    this.config.timeout = PROVIDER_TIMEOUT_S;
    if (insecure) oidc.allowInsecureRequests(this.config);
  }

  async authorizationUrl({ state, verifier }: FlowSecrets, redirectUri: string): Promise<URL> {
    return oidc.buildAuthorizationUrl(this.config, {
      redirect_uri: redirectUri,
      scope: 'user:email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      allow_signup: 'true',
    });
  }

  async identify(callbackUrl: URL, { state, verifier }: FlowSecrets): Promise<UpstreamIdentity> {
    const tokens = await oidc.authorizationCodeGrant(this.config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state });
    const user = await this.get<GitHubUser>(tokens.access_token, '/user');
    if (typeof user.id !== 'number' || !Number.isSafeInteger(user.id)) throw new Error('GitHub answered /user without a numeric id');
    const emails = await this.get<GitHubEmail[]>(tokens.access_token, '/user/emails');
    const primary = Array.isArray(emails) ? emails.find((entry) => entry.primary === true) : undefined;
    return { subject: String(user.id), email: addressOf(primary?.email), emailVerified: primary?.verified === true };
  }

  private async get<T>(accessToken: string, path: string): Promise<T> {
    const headers = new Headers({ Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': API_VERSION, 'User-Agent': 'one_auth' });
    const response = await oidc.fetchProtectedResource(this.config, accessToken, new URL(`${this.api}${path}`), 'GET', undefined, headers);
    if (response.status >= 500) throw new ProviderUnavailableError(`GitHub answered ${path} with ${response.status}`);
    if (!response.ok) throw new Error(`GitHub answered ${path} with ${response.status}`);
    return (await response.json()) as T;
  }
}
