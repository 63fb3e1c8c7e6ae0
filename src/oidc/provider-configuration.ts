// The declaration of the provider module this file imports untyped must reach every compilation that includes this file.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./provider-internals.d.ts" />
import { hkdfSync } from 'node:crypto';
import { type Adapter, type Configuration, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { confirm as confirmLogout } from 'oidc-provider/lib/actions/end_session.js';
import type { OidcConfig } from '../config/app-config.js';
import { type ConsentMemory, OFFLINE_REQUESTED_PARAM } from './consents.js';
import type { KeySet } from './key-set.js';
import { PAGE_HEADERS } from './login/layout.js';
import { errorPage, loggedOutPage, logoutPage } from './login/provider-pages.js';
import { type OidcAccounts, SCOPE_CLAIMS } from './oidc-accounts.js';
import { duringOutage } from './provider-outage.js';

/** What the configuration is built from: settings, storage, keys, accounts, consents. */
export interface ProviderParts {
  oidc: OidcConfig;
  secret: string;
  adapter: (model: string) => Adapter;
  keys: KeySet;
  accounts: OidcAccounts;
  consents: ConsentMemory;
}

const DAY_S = 86_400;
/** How long a sign-in (the provider's interaction) may take, from the app's request to its last page. */
export const INTERACTION_TTL_S = 3600;
const seconds = (ms: number) => Math.max(1, Math.floor(ms / 1000));
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Routes a public (browser) client may call from the origins of its redirect URIs (CORS). */
const PUBLIC_CLIENT_CORS_ROUTES = new Set(['token', 'userinfo', 'revocation']);

/**
 * The provider's configuration, option by option as SPEC 42–48 ask, every
 * default of oidc-provider 9 that matters decided here rather than taken:
 *
 * - code flow only, PKCE S256 required unless a confidential client was
 *   registered `pkce_optional`; PAR kept (it only makes a client's request
 *   safer), DPoP off (the only resource server is userinfo, whose tokens
 *   live an hour), resource indicators off (no other resource servers);
 * - refresh tokens only with `offline_access`, rotated on every use (a
 *   rotated one used again revokes the grant), living OIDC_REFRESH_TOKEN_TTL
 *   from the sign-in and dying unused after TOKEN_IDLE_TTL;
 * - revocation, introspection (another client's token is inactive, and so
 *   is one of an account no longer active), RP-initiated and back-channel
 *   logout on; development interactions off;
 * - cookies signed with a key derived from SECRET, Secure when the issuer
 *   is https.
 */
export function providerConfiguration(parts: ProviderParts): Configuration {
  const { oidc, accounts, consents } = parts;
  const secure = oidc.issuer.startsWith('https:');
  const cookieKey = Buffer.from(hkdfSync('sha256', parts.secret, 'one_auth', 'oidc cookies', 32)).toString('base64url');
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure };
  const refreshTtl = seconds(oidc.refreshTokenTtlMs);
  // A browser session's grant outlives every refresh token issued under it: each sign-in renews it.
  const grantTtl = refreshTtl + DAY_S;
  return {
    adapter: parts.adapter,
    jwks: { keys: parts.keys.keys as NonNullable<Configuration['jwks']>['keys'] },
    findAccount: (_ctx, sub) => duringOutage(() => accounts.find(sub)),
    pairwiseIdentifier: (_ctx, accountId, client) => accounts.pairwise(accountId, client.clientId),
    claims: { ...SCOPE_CLAIMS, sid: null, auth_time: null },
    scopes: ['openid', 'profile', 'email', 'address', 'offline_access'],
    subjectTypes: ['public', 'pairwise'],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'] },
    clientDefaults: { id_token_signed_response_alg: 'RS256', grant_types: ['authorization_code', 'refresh_token'] },
    extraClientMetadata: {
      properties: ['first_party', 'pkce_optional'],
      validator: (_ctx, key, value, metadata) => {
        metadata[key] = value === true;
      },
    },
    pkce: {
      required: (_ctx, client) =>
        client.clientAuthMethod === 'none' || (client as unknown as Record<string, unknown>).pkce_optional !== true,
    },
    rotateRefreshToken: true,
    loadExistingGrant: (ctx) => duringOutage(() => consents.loadExistingGrant(ctx, grantTtl)),
    extraParams: [OFFLINE_REQUESTED_PARAM],
    ttl: {
      AccessToken: seconds(oidc.accessTokenTtlMs),
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: INTERACTION_TTL_S,
      Session: seconds(oidc.sessionTtlMs),
      Grant: grantTtl,
      // The chain of rotated tokens ends OIDC_REFRESH_TOKEN_TTL after the sign-in; each token dies unused after the idle timeout.
      RefreshToken: (_ctx, token) =>
        Math.max(1, Math.min(seconds(oidc.refreshTokenIdleTtlMs), (token.iiat ?? nowSeconds()) + refreshTtl - nowSeconds())),
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
    cookies: {
      keys: [cookieKey],
      long: cookie,
      short: cookie,
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      backchannelLogout: { enabled: true },
      revocation: {
        enabled: true,
        // Another client's token is left alone (RFC 7009 §2.1), answered as a success so it cannot be probed.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          const accountId = 'accountId' in token ? token.accountId : undefined;
          return (
            token.clientId === client.clientId &&
            typeof accountId === 'string' &&
            (await duringOutage(() => accounts.active(accountId))) !== null
          );
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          if (hintedLogout(ctx, accounts)) {
            // RP-initiated logout with a valid id_token_hint for this very session, to a registered URI: done without asking (47).
            ctx.oidc.params!.logout = 'yes';
            return confirmLogout[confirmLogout.length - 1](ctx, async () => undefined);
          }
          const action = /action="([^"]*)"/.exec(form)?.[1] ?? '';
          const xsrf = /name="xsrf" value="([^"]*)"/.exec(form)?.[1] ?? '';
          page(ctx, logoutPage(oidc.mountPath, { action, xsrf, appName: ctx.oidc.client?.clientName ?? null }).toString());
        },
        postLogoutSuccessSource: async (ctx) => page(ctx, loggedOutPage(oidc.mountPath, ctx.oidc.client?.clientName ?? null).toString()),
      },
    },
    clientBasedCORS: (ctx, origin, client) =>
      client.clientAuthMethod === 'none' &&
      PUBLIC_CLIENT_CORS_ROUTES.has(ctx.oidc.route) &&
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    interactions: { policy: interactionPolicyFor(), url: (_ctx, interaction) => `${oidc.mountPath}/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      const requestId = (ctx.req as { requestId?: string }).requestId;
      const appName = ctx.oidc?.client?.clientName;
      page(ctx, errorPage(oidc.mountPath, { error: out.error, description: out.error_description, requestId, appName }).toString());
    },
  };
}

/**
 * The provider's own prompts (login, then consent), with one check narrowed.
 * It asks every native app (redirect URIs all on loopback, or an app's own
 * scheme) for consent on every sign-in, since any program on the device can
 * listen there (RFC 8252 §8.6). That holds for a public client, whose code
 * whoever receives it can redeem; a confidential client's code is worth
 * nothing without its secret, so it is asked as a web app is (49): a
 * first-party app never, a third-party app once per set of scopes.
 */
function interactionPolicyFor(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const native = policy.get('consent')?.checks.get('native_client_prompt');
  if (!native) throw new Error('oidc-provider no longer has the consent check native_client_prompt');
  const everyNativeApp = native.check;
  native.check = (ctx) => ctx.oidc.client?.clientAuthMethod === 'none' && everyNativeApp(ctx);
  return policy;
}

/**
 * Whether a logout request may end the session without asking: it names a
 * registered post_logout_redirect_uri, and carries an ID token the provider
 * has validated (its signature, its client) issued to this session's
 * account. Anything else (no hint, another person's, no return address) is
 * confirmed by the person first.
 */
function hintedLogout(ctx: KoaContextWithOIDC, accounts: OidcAccounts): boolean {
  const hint = ctx.oidc.entities.IdTokenHint as { payload?: { sub?: string } } | undefined;
  const { client, session, params } = ctx.oidc;
  const accountId = session?.accountId;
  if (!hint?.payload?.sub || !client || !accountId || !params?.post_logout_redirect_uri) return false;
  const sub = client.subjectType === 'pairwise' ? accounts.pairwise(accountId, client.clientId) : accountId;
  return hint.payload.sub === sub;
}

/** A page of this service, answered by the provider: its headers, then its HTML. */
function page(ctx: KoaContextWithOIDC, body: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.body = body;
}
