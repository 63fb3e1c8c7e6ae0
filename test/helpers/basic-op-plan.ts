import { createHash, randomBytes } from 'node:crypto';
import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { expect } from 'vitest';
import { BrowserSession } from './browser-session.js';
import { type PageAnswers, type PageWalk, walkLoginPages } from './login-pages.js';
import { client, noteTokens, TEST_REDIRECT_URI } from './oidc-rp.js';
import { type Exchange, lastTo, recordTraffic } from './rp-traffic.js';
import { noteSecret } from './secrets.js';

/*
 * The relying party of the OpenID Foundation's conformance suite, as far as
 * its Basic OP plan goes (openid-certification/conformance-suite,
 * OIDCCBasicTestPlan and AbstractOIDCCServerTest): how it builds its
 * requests, and its conditions, each named after the suite's class that
 * makes the same check. openid-client does the token exchange and verifies
 * what it verifies anyway; these checks are the suite's own, made on the
 * raw answers besides.
 */

/** The suite allows this much clock skew in every time check (ValidateIdToken). */
const SKEW_S = 5 * 60;
/** RFC 6749 A.12 / A.17: access and refresh tokens are VSCHAR. */
const VSCHAR = /^[\x20-\x7E]+$/;
/** RFC 6749 §4.1.2.1 / §5.2: error_description is NQSCHAR without `"` and `\` (tab, LF and CR allowed, as the suite allows them). */
// eslint-disable-next-line no-control-regex -- the characters RFC 6749 allows are the point
const ERROR_DESCRIPTION = /^[\x09\x0A\x0D\x20-\x21\x23-\x5B\x5D-\x7E]+$/;
/** Parameters an authorization error response may carry (CheckForUnexpectedParametersInErrorResponseFromAuthorizationEndpoint). */
const ERROR_RESPONSE_PARAMETERS = new Set(['error', 'error_description', 'error_uri', 'state', 'session_state', 'iss']);
/** Claims an ID token may carry unasked (EnsureIdTokenDoesNotContainNonRequestedClaims). */
const ID_TOKEN_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  'nbf',
  'jti',
  'sid',
];
/** The standard claims of each scope, as the suite lists them (AbstractVerifyScopesReturnedInClaims). */
export const SCOPE_STANDARD_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  profile: [
    'name',
    'given_name',
    'family_name',
    'middle_name',
    'nickname',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
    'preferred_username',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  offline_access: [],
};

export interface PlanServer {
  issuer: string;
  metadata: Record<string, unknown>;
  jwks: JSONWebKeySet;
}

/**
 * GetDynamicServerConfiguration, CheckServerConfiguration, FetchServerKeys,
 * CheckServerKeysIsValid, ValidateJwksSequence (public keys only),
 * CheckForKeyIdInServerJWKs, CheckDistinctKeyIdValueInServerJWKs: what every
 * module does before its first request.
 */
export async function discoverServer(issuer: string): Promise<PlanServer> {
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
  expect(discovery.status).toBe(200);
  expect(discovery.headers.get('content-type')).toMatch(/^application\/json/);
  const metadata = (await discovery.json()) as Record<string, unknown>;
  for (const key of ['authorization_endpoint', 'token_endpoint', 'issuer']) {
    expect(typeof metadata[key], key).toBe('string');
    expect(URL.canParse(metadata[key] as string), key).toBe(true);
  }
  expect(metadata.issuer).toBe(issuer);
  const keys = await fetch(metadata.jwks_uri as string);
  expect(keys.status).toBe(200);
  const jwks = (await keys.json()) as JSONWebKeySet;
  expect(Array.isArray(jwks.keys)).toBe(true);
  expect(jwks.keys.length).toBeGreaterThan(0);
  for (const key of jwks.keys) {
    expect(typeof key.kid === 'string' && key.kid.trim() !== '', 'every key has a kid').toBe(true);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key, `public keys only (${member})`).not.toHaveProperty(member);
  }
  expect(new Set(jwks.keys.map((key) => key.kid)).size, 'distinct kids').toBe(jwks.keys.length);
  return { issuer, metadata, jwks };
}

/** A relying party of the plan: a registered client, openid-client's configuration for it, and everything it sent and got. */
export interface PlanClient {
  server: PlanServer;
  clientId: string;
  config: client.Configuration;
  traffic: Exchange[];
}

export async function planClient(server: PlanServer, clientId: string, auth: client.ClientAuth): Promise<PlanClient> {
  const config = await client.discovery(new URL(server.issuer), clientId, {}, auth, { execute: [client.allowInsecureRequests] });
  client.enableNonRepudiationChecks(config);
  return { server, clientId, config, traffic: recordTraffic(config) };
}

/** An authorization request as the suite builds it, and what it keeps for the callback. */
export interface PlanRequest {
  url: string;
  state: string;
  nonce: string | undefined;
  scope: string;
}

/**
 * CreateAuthorizationRequestSteps: response_type=code, client_id,
 * redirect_uri, scope=openid, a random state and nonce, then the module's
 * own parameters (`null` leaves one out), in this order or reversed
 * (BuildPlainRedirectToAuthorizationEndpointReorderedParams).
 */
export function planRequest(rp: PlanClient, changes: Record<string, string | null> = {}, { reversed = false } = {}): PlanRequest {
  const parameters: Record<string, string | null> = {
    client_id: rp.clientId,
    redirect_uri: TEST_REDIRECT_URI,
    scope: 'openid',
    state: randomValue(),
    nonce: randomValue(),
    response_type: 'code',
    ...changes,
  };
  const entries = Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== null);
  if (reversed) entries.reverse();
  const url = new URL(rp.server.metadata.authorization_endpoint as string);
  for (const [name, value] of entries) url.searchParams.append(name, value);
  return { url: url.href, state: parameters.state ?? '', nonce: parameters.nonce ?? undefined, scope: parameters.scope ?? '' };
}

/** CreateRandomStateValue / CreateRandomNonceValue. */
export function randomValue(length = 10): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** The browser's part: the login pages answered until the provider sends it to the redirect URI. */
export function authorize(request: PlanRequest, answers: PageAnswers, browser = new BrowserSession()): Promise<PageWalk> {
  return walkLoginPages(browser, request.url, answers);
}

/**
 * onAuthorizationCallbackResponse for a code: CheckMatchingCallbackParameters
 * (the registered URI, nothing added but the response), ValidateIssIfPresent,
 * CheckIfAuthorizationEndpointError, CheckStateInAuthorizationResponse,
 * ExtractAuthorizationCode, EnsureMinimumAuthorizationCodeLength and
 * …Entropy (oidcc-server).
 */
export function checkCodeCallback(rp: PlanClient, request: PlanRequest, callback: URL): string {
  expect(callback.origin + callback.pathname).toBe(TEST_REDIRECT_URI);
  expect(callback.hash).toBe('');
  const iss = callback.searchParams.get('iss');
  if (iss !== null) expect(iss).toBe(rp.server.issuer);
  expect(callback.searchParams.get('error')).toBeNull();
  expect(callback.searchParams.get('state')).toBe(request.state || null);
  const code = callback.searchParams.get('code');
  expect(code).toBeTruthy();
  expect(Buffer.byteLength(code!) * 8).toBeGreaterThanOrEqual(128);
  expect(shannonBits(code!)).toBeGreaterThan(96);
  return code!;
}

/**
 * performGenericAuthorizationEndpointErrorResponseValidation: an error sent
 * back to the registered redirect URI, with the request's state, the
 * issuer's iss, no code, nothing unexpected, and a well-formed description.
 */
export function checkErrorCallback(rp: PlanClient, callback: URL, state: string | undefined): string {
  expect(callback.origin + callback.pathname).toBe(TEST_REDIRECT_URI);
  const parameters = callback.searchParams;
  if (state === undefined) expect(parameters.get('state')).toBeNull();
  else expect(parameters.get('state')).toBe(state);
  const iss = parameters.get('iss');
  if (iss !== null) expect(iss).toBe(rp.server.issuer);
  expect(parameters.get('code')).toBeNull();
  for (const name of parameters.keys()) expect(ERROR_RESPONSE_PARAMETERS.has(name), `unexpected parameter ${name}`).toBe(true);
  const description = parameters.get('error_description');
  if (description !== null) expect(description).toMatch(ERROR_DESCRIPTION);
  const errorUri = parameters.get('error_uri');
  if (errorUri !== null) expect(URL.canParse(errorUri)).toBe(true);
  const error = parameters.get('error');
  expect(error).toBeTruthy();
  return error!;
}

export interface CheckedIdToken {
  raw: string;
  header: ProtectedHeaderParameters;
  claims: JWTPayload & Record<string, unknown>;
}

/**
 * PerformStandardIdTokenChecks: ValidateIdTokenSignature (against the
 * server's JWKS), ValidateIdToken (iss, aud, exp, iat, auth_time, acr),
 * ValidateIdTokenNonce, CheckForSubjectInIdToken, EnsureIdTokenUpdatedAtValid.
 */
export async function checkIdToken(rp: PlanClient, raw: string, nonce: string | undefined): Promise<CheckedIdToken> {
  const header = decodeProtectedHeader(raw);
  const { payload } = await compactVerify(raw, createLocalJWKSet(rp.server.jwks));
  const claims = JSON.parse(new TextDecoder().decode(payload)) as CheckedIdToken['claims'];
  const now = Date.now() / 1000;
  expect(claims.iss).toBe(rp.server.issuer);
  if (Array.isArray(claims.aud)) expect(claims.aud).toContain(rp.clientId);
  else expect(claims.aud).toBe(rp.clientId);
  expect(typeof claims.exp).toBe('number');
  expect(claims.exp!).toBeGreaterThan(now - SKEW_S);
  expect(claims.exp!).toBeLessThan(now + 50 * 365 * 86_400);
  expect(typeof claims.iat).toBe('number');
  expect(claims.iat!).toBeLessThan(now + SKEW_S);
  expect(claims.iat!).toBeGreaterThan(now - SKEW_S);
  if (claims.auth_time !== undefined) {
    expect(claims.auth_time as number).toBeGreaterThan(now - 365 * 86_400);
    expect(claims.auth_time as number).toBeLessThan(now + SKEW_S);
  }
  if (claims.acr !== undefined) expect(claims.acr).not.toBe('');
  if (nonce === undefined) expect(claims).not.toHaveProperty('nonce');
  else expect(claims.nonce).toBe(nonce);
  expect(typeof claims.sub === 'string' && claims.sub !== '').toBe(true);
  if (claims.updated_at !== undefined) expect(typeof claims.updated_at).toBe('number');
  return { raw, header, claims };
}

/** ValidateAtHash / ValidateCHash: the left half of the hash of the token the claim stands for, when the claim is there. */
export function checkHashClaim(idToken: CheckedIdToken, claim: 'at_hash' | 'c_hash', value: string): void {
  const given = idToken.claims[claim];
  if (given === undefined) return;
  const bits = Number(/\d+$/.exec(String(idToken.header.alg))?.[0] ?? 256);
  const digest = createHash(`sha${bits}`).update(value).digest();
  expect(given).toBe(digest.subarray(0, digest.length / 2).toString('base64url'));
}

/** EnsureIdTokenDoesNotContainNonRequestedClaims: only the ID token's own claims and those of the requested scopes. */
export function checkNoUnrequestedClaims(idToken: CheckedIdToken, scope: string): void {
  const allowed = new Set([...ID_TOKEN_CLAIMS, ...scope.split(' ').flatMap((name) => SCOPE_STANDARD_CLAIMS[name] ?? [])]);
  for (const claim of Object.keys(idToken.claims)) expect(allowed.has(claim), `unrequested claim ${claim}`).toBe(true);
}

/**
 * A successful token endpoint answer: CheckTokenEndpointHttpStatus200,
 * …ReturnedJsonContentType, …CacheHeaders (no-store), CheckTokenTypeIsBearer,
 * ValidateExpiresIn, EnsureMinimumAccessTokenEntropy, the tokens' VSCHAR
 * characters, and a refresh token's length and entropy.
 */
export async function checkTokenAnswer(rp: PlanClient): Promise<Record<string, unknown>> {
  const exchange = lastTo(rp.traffic, '/token');
  expect(exchange.status).toBe(200);
  expect(exchange.responseHeaders.get('content-type')).toMatch(/^application\/json/);
  expect(
    exchange.responseHeaders
      .get('cache-control')
      ?.split(',')
      .map((part) => part.trim()),
  ).toContain('no-store');
  const body = JSON.parse(await exchange.body) as Record<string, unknown>;
  expect(String(body.token_type).toLowerCase()).toBe('bearer');
  expect(typeof body.expires_in).toBe('number');
  expect(body.expires_in as number).toBeGreaterThan(0);
  expect(body.expires_in as number).toBeLessThanOrEqual(31_536_000);
  const accessToken = String(body.access_token);
  expect(accessToken).toMatch(VSCHAR);
  expect(shannonBits(accessToken)).toBeGreaterThan(96);
  if (body.refresh_token !== undefined) {
    const refreshToken = String(body.refresh_token);
    expect(refreshToken).toMatch(VSCHAR);
    expect(Buffer.byteLength(refreshToken) * 8).toBeGreaterThanOrEqual(128);
    expect(shannonBits(refreshToken)).toBeGreaterThan(96);
  }
  return body;
}

/**
 * A refused token request: CheckTokenEndpointHttpStatus400,
 * …ReturnedJsonContentType, the error code, ValidateErrorDescription and
 * ValidateErrorUri of the answer.
 */
export async function checkTokenError(rp: PlanClient, expected: string): Promise<void> {
  const exchange = lastTo(rp.traffic, '/token');
  expect(exchange.status).toBe(400);
  expect(exchange.responseHeaders.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(await exchange.body) as Record<string, unknown>;
  expect(body.error).toBe(expected);
  if (body.error_description !== undefined) expect(String(body.error_description)).toMatch(ERROR_DESCRIPTION);
  if (body.error_uri !== undefined) expect(URL.canParse(String(body.error_uri))).toBe(true);
}

/** The token exchange of a callback (openid-client's checks), then the suite's checks of the answer and the ID token. */
export async function exchangeCode(
  rp: PlanClient,
  request: PlanRequest,
  callback: URL,
  checks: { pkceCodeVerifier?: string; maxAge?: number } = {},
) {
  noteSecret(callback.searchParams.get('code'));
  const tokens = await client.authorizationCodeGrant(rp.config, callback, {
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
    ...checks,
  });
  noteTokens(tokens);
  const answer = await checkTokenAnswer(rp);
  const idToken = await checkIdToken(rp, tokens.id_token!, request.nonce);
  checkHashClaim(idToken, 'at_hash', tokens.access_token);
  checkHashClaim(idToken, 'c_hash', callback.searchParams.get('code')!);
  return { tokens, idToken, answer };
}

/** A whole code flow: request, pages, callback, exchange; what the modules that only add parameters do. */
export async function codeFlow(
  rp: PlanClient,
  answers: PageAnswers,
  changes: Record<string, string | null> = {},
  browser = new BrowserSession(),
) {
  const request = planRequest(rp, changes);
  const walk = await authorize(request, answers, browser);
  checkCodeCallback(rp, request, walk.callback);
  return { request, walk, browser, ...(await exchangeCode(rp, request, walk.callback)) };
}

/**
 * A userinfo answer (AbstractOIDCCUserInfoTest): EnsureHttpStatusCodeIs200,
 * EnsureContentTypeJson, ValidateUserInfoStandardClaims,
 * EnsureUserInfoContainsSub, EnsureUserInfoUpdatedAtValid, and the same sub
 * as the ID token (VerifyUserInfoAndIdTokenInTokenEndpointSameSub).
 */
export async function checkUserInfoAnswer(answer: Response, idToken: CheckedIdToken): Promise<Record<string, unknown>> {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  const info = (await answer.json()) as Record<string, unknown>;
  checkStandardClaims(info);
  expect(info.sub).toBe(idToken.claims.sub);
  if (info.updated_at !== undefined) expect(typeof info.updated_at).toBe('number');
  return info;
}

/** ValidateUserInfoStandardClaims for the claims one_auth can give: strings with content, a boolean, an address object. */
function checkStandardClaims(info: Record<string, unknown>): void {
  for (const claim of ['sub', 'name', 'given_name', 'family_name', 'picture', 'email']) {
    if (info[claim] === undefined) continue;
    expect(typeof info[claim], claim).toBe('string');
    expect(String(info[claim]).trim(), claim).not.toBe('');
    expect(String(info[claim]).toLowerCase(), claim).not.toBe('null');
  }
  if (info.email_verified !== undefined) expect(typeof info.email_verified).toBe('boolean');
  if (info.address !== undefined) {
    expect(typeof info.address).toBe('object');
    for (const part of Object.values(info.address as object)) expect(typeof part).toBe('string');
  }
}

/** Shannon entropy of a string in bits, as AbstractEnsureMinimumEntropy measures it. */
export function shannonBits(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perCharacter = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    perCharacter -= p * Math.log2(p);
  }
  return perCharacter * value.length;
}
