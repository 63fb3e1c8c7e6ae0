import { createServer } from 'node:net';
import * as client from 'openid-client';
import { type ClientRegistration } from '../../src/oidc-clients/client-registration.js';
import { OidcClientsService } from '../../src/oidc-clients/oidc-clients.service.js';
import { BrowserSession } from './browser-session.js';
import { noteSecret } from './secrets.js';
import { type PageAnswers, walkLoginPages } from './login-pages.js';
import type { AppOptions } from '../../src/app.setup.js';
import { startTestApp, type TestApp } from './test-app.js';

/*
 * The relying party's side of the OpenID Provider's tests: the service
 * listening on a real port (openid-client talks HTTP to it, as any app
 * would), clients registered through the service, and a certified client
 * library (openid-client 6) for discovery, the code flow with PKCE,
 * refresh, userinfo, revocation, introspection and logout.
 */

export interface OidcTestApp extends TestApp {
  /** `http://127.0.0.1:<port>`, where the service listens. */
  origin: string;
  issuer: string;
}

export interface RegisteredTestClient {
  clientId: string;
  clientSecret: string | null;
  registration: ClientRegistration;
}

/** A port nothing listens on, for a service whose PUBLIC_URL must name it before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The service as startTestApp starts it, listening on 127.0.0.1, its issuer under that origin. */
export async function startOidcTestApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<OidcTestApp> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ PUBLIC_URL: origin, ...env }, options);
  await t.app.listen(port, '127.0.0.1');
  return { ...t, origin, issuer: `${origin}/one_auth/oidc` };
}

/** The redirect URI test clients register: an app's web address; the browser stops before it, so nothing listens there. */
export const TEST_REDIRECT_URI = 'https://app.example.com/callback';

export async function registerClient(t: TestApp, registration: Partial<ClientRegistration> = {}): Promise<RegisteredTestClient> {
  const full: ClientRegistration = {
    client_name: 'Test app',
    redirect_uris: [TEST_REDIRECT_URI],
    post_logout_redirect_uris: [],
    backchannel_logout_uri: null,
    token_endpoint_auth_method: 'client_secret_basic',
    subject_type: 'public',
    id_token_signed_response_alg: 'RS256',
    first_party: true,
    pkce_optional: false,
    ...registration,
  };
  const { client: created, client_secret } = await t.app.get(OidcClientsService).create(full);
  noteSecret(client_secret);
  return { clientId: created.client_id, clientSecret: client_secret, registration: full };
}

/** openid-client's configuration for a registered client, from the issuer's discovery document. */
export async function relyingParty(issuer: string, registered: RegisteredTestClient): Promise<client.Configuration> {
  const method = registered.registration.token_endpoint_auth_method;
  const auth =
    method === 'none'
      ? client.None()
      : method === 'client_secret_post'
        ? client.ClientSecretPost(registered.clientSecret!)
        : client.ClientSecretBasic(registered.clientSecret!);
  const metadata = { id_token_signed_response_alg: registered.registration.id_token_signed_response_alg };
  const config = await client.discovery(new URL(issuer), registered.clientId, metadata, auth, { execute: [client.allowInsecureRequests] });
  // ID tokens from the token endpoint are checked against the JWKS too, not only trusted for the TLS channel.
  client.enableNonRepudiationChecks(config);
  return config;
}

/** One authorization request's secrets, kept by the app until its callback. */
export interface AuthorizationRequest {
  url: string;
  codeVerifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(
  config: client.Configuration,
  parameters: Record<string, string> = {},
): Promise<AuthorizationRequest> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: TEST_REDIRECT_URI,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...parameters,
  });
  return { url: url.href, codeVerifier, state, nonce };
}

/** The token exchange of a callback, with every check openid-client makes (state, nonce, PKCE, ID token). */
export async function exchangeCode(config: client.Configuration, callback: URL, request: AuthorizationRequest) {
  noteSecret(callback.searchParams.get('code'));
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
  noteTokens(tokens);
  return tokens;
}

/** Tokens of an answer, for the search of the service's output (none may appear there). */
export function noteTokens(tokens: { access_token?: string; refresh_token?: string; id_token?: string }): void {
  noteSecret(tokens.access_token);
  noteSecret(tokens.refresh_token);
  noteSecret(tokens.id_token);
}

/** A whole sign-in: authorization request, the login pages answered, the code exchanged. */
export async function signIn(
  config: client.Configuration,
  answers: PageAnswers,
  parameters: Record<string, string> = {},
  browser = new BrowserSession(),
) {
  const request = await authorizationRequest(config, parameters);
  const walk = await walkLoginPages(browser, request.url, answers);
  const tokens = await exchangeCode(config, walk.callback, request);
  return { tokens, browser, walk, request };
}

/** The OAuth error code of a refused call of openid-client: from an error body, or from a WWW-Authenticate challenge. */
export async function oauthError(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const challenge = (error as { cause?: { parameters?: { error?: string } }[] }).cause;
    return String(
      (error as { error?: string }).error ??
        (Array.isArray(challenge) ? challenge[0]?.parameters?.error : undefined) ??
        (error as Error).message,
    );
  }
  throw new Error('expected the provider to refuse');
}

export { client };
