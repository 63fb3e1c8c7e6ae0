import { compactVerify, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from './helpers/browser-session.js';
import { walkLoginPages } from './helpers/login-pages.js';
import {
  authorizationRequest,
  client,
  exchangeCode,
  oauthError,
  noteTokens,
  type OidcTestApp,
  registerClient,
  relyingParty,
  signIn,
  startOidcTestApp,
  TEST_REDIRECT_URI,
} from './helpers/oidc-rp.js';
import { basic, createActiveUser } from './helpers/test-app.js';

describe('Sign in with one_auth: discovery and the code flow (42–46)', () => {
  let t: OidcTestApp;

  beforeAll(async () => {
    t = await startOidcTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const person = async () => {
    const user = await createActiveUser(t);
    return { ...user, answers: { email: user.email, password: user.password } };
  };

  it('publishes its configuration as SPEC 42 lists it, and only public keys', async () => {
    const answer = await fetch(`${t.issuer}/.well-known/openid-configuration`);
    expect(answer.status).toBe(200);
    const document = (await answer.json()) as Record<string, unknown>;
    expect(document.issuer).toBe(t.issuer);
    expect(document.response_types_supported).toEqual(['code']);
    expect(document.code_challenge_methods_supported).toEqual(['S256']);
    expect(document.scopes_supported).toEqual(['openid', 'profile', 'email', 'address', 'offline_access']);
    expect(document.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
    expect(document.subject_types_supported).toEqual(['public', 'pairwise']);
    expect(document.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
    expect(document.grant_types_supported).toEqual(['authorization_code', 'refresh_token']);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(String(document[endpoint]).startsWith(`${t.issuer}/`), endpoint).toBe(true);
    }
    expect(document).toMatchObject({
      revocation_endpoint: `${t.issuer}/token/revocation`,
      introspection_endpoint: `${t.issuer}/token/introspection`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    expect(document).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(document.claims_supported).toEqual(
      expect.arrayContaining([
        'sub',
        'name',
        'given_name',
        'family_name',
        'picture',
        'department',
        'email',
        'email_verified',
        'address',
        'sid',
        'auth_time',
        'amr',
      ]),
    );
    const { keys } = (await (await fetch(document.jwks_uri as string)).json()) as { keys: Record<string, unknown>[] };
    expect(keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of keys) {
      expect(key).toMatchObject({ use: 'sig' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('signs a person in with code, PKCE and nonce; the ID token is signed RS256 by a key of the JWKS and says sub, auth_time, amr, nonce, sid', async () => {
    const user = await person();
    const registered = await registerClient(t);
    const config = await relyingParty(t.issuer, registered);
    const { tokens, walk, request } = await signIn(config, user.answers);
    expect(walk.shown).toEqual(['sign-in']);
    expect(walk.callback.searchParams.get('iss')).toBe(t.issuer);
    const idToken = tokens.id_token!;
    expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    // Checked here too, independently of openid-client's own check.
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), {
      issuer: t.issuer,
      audience: registered.clientId,
    });
    expect(payload).toMatchObject({ nonce: request.nonce, amr: ['pwd'], sid: expect.any(String), auth_time: expect.any(Number) });
    expect(payload.sub).toMatch(/^[0-9a-f]{32}$/);
    expect(payload.sub).not.toContain(user.email);
    expect(Math.abs((payload.auth_time as number) - Date.now() / 1000)).toBeLessThan(30);
    // No claim of a scope in the ID token: they are userinfo's (conformIdTokenClaims).
    expect(payload).not.toHaveProperty('email');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toBeUndefined();
    // A token signed by another key does not pass: the signature is really checked.
    const forged = `${idToken.slice(0, idToken.lastIndexOf('.'))}.${Buffer.from('x'.repeat(256)).toString('base64url')}`;
    await expect(compactVerify(forged, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)))).rejects.toThrow();
  });

  it('answers userinfo with the claims of the granted scopes only (45)', async () => {
    const user = await person();
    await t.http
      .put('/one_auth/api/user/profile')
      .set('Authorization', basic(user.email, user.token))
      .send({ first_name: 'Ada', last_name: 'Lovelace', country: 'GB', department: 'R&D', avatar: 'https://cdn.example.com/ada.png' })
      .expect(200);
    const registered = await registerClient(t);
    const config = await relyingParty(t.issuer, registered);
    const browser = new BrowserSession();
    const infoFor = async (scope: string) => {
      const { tokens } = await signIn(config, user.answers, { scope }, browser);
      return client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    };
    const sub = (await infoFor('openid')).sub;
    expect(await infoFor('openid')).toEqual({ sub });
    expect(await infoFor('openid profile')).toEqual({
      sub,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      picture: 'https://cdn.example.com/ada.png',
      department: 'R&D',
    });
    expect(await infoFor('openid email')).toEqual({ sub, email: user.email, email_verified: true });
    expect(await infoFor('openid address')).toEqual({ sub, address: { country: 'GB' } });
    expect(await infoFor('address email openid')).toEqual({ sub, email: user.email, email_verified: true, address: { country: 'GB' } });
  });

  it('signs ID tokens ES256 for a client that registered it, with the JWKS key of that algorithm', async () => {
    const user = await person();
    const registered = await registerClient(t, { id_token_signed_response_alg: 'ES256' });
    const config = await relyingParty(t.issuer, registered);
    const { tokens } = await signIn(config, user.answers);
    expect(decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: 'ES256' });
    await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), { algorithms: ['ES256'] });
  });

  it('requires PKCE of every client, unless a confidential client is registered pkce_optional (43)', async () => {
    const user = await person();
    const strict = await relyingParty(t.issuer, await registerClient(t));
    const request = await authorizationRequest(strict);
    const withoutPkce = new URL(request.url);
    withoutPkce.searchParams.delete('code_challenge');
    withoutPkce.searchParams.delete('code_challenge_method');
    const refused = await new BrowserSession().follow(withoutPkce.href, t.origin);
    expect(refused.leftTo).toBeDefined();
    const error = new URL(refused.leftTo!);
    expect(error.origin + error.pathname).toBe(TEST_REDIRECT_URI);
    expect(error.searchParams.get('error')).toBe('invalid_request');
    expect(error.searchParams.get('state')).toBe(request.state);

    const plain = new URL(request.url);
    plain.searchParams.set('code_challenge_method', 'plain');
    plain.searchParams.set('code_challenge', 'x'.repeat(43));
    const refusedPlain = await new BrowserSession().follow(plain.href, t.origin);
    expect(new URL(refusedPlain.leftTo!).searchParams.get('error')).toBe('invalid_request');

    const optional = await registerClient(t, { pkce_optional: true });
    const config = await relyingParty(t.issuer, optional);
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: TEST_REDIRECT_URI, scope: 'openid', state });
    const walk = await walkLoginPages(new BrowserSession(), url.href, user.answers);
    const tokens = await client.authorizationCodeGrant(config, walk.callback, { expectedState: state });
    noteTokens(tokens);
    expect(tokens.access_token).toBeTruthy();
  });

  it('never redirects to a redirect_uri not registered exactly: an error page instead (43)', async () => {
    const registered = await registerClient(t);
    const config = await relyingParty(t.issuer, registered);
    for (const redirect of [
      'https://evil.example.com/callback',
      `${TEST_REDIRECT_URI}/more`,
      `${TEST_REDIRECT_URI}?x=1`,
      TEST_REDIRECT_URI.toUpperCase(),
    ]) {
      const request = await authorizationRequest(config, { redirect_uri: redirect });
      const answer = await new BrowserSession().request(request.url);
      expect(answer.status, redirect).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(answer.body).toContain('has not registered');
      expect(answer.body).not.toContain('evil.example.com');
    }
    const unknownClient = new URL((await authorizationRequest(config)).url);
    unknownClient.searchParams.set('client_id', 'f'.repeat(32));
    const answer = await new BrowserSession().request(unknownClient.href);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
  });

  it('takes a code once: a second use is refused and revokes what the first gave (44)', async () => {
    const user = await person();
    const config = await relyingParty(t.issuer, await registerClient(t));
    const request = await authorizationRequest(config, { scope: 'openid offline_access' });
    const walk = await walkLoginPages(new BrowserSession(), request.url, user.answers);
    const tokens = await exchangeCode(config, walk.callback, request);
    expect(tokens.refresh_token).toBeTruthy();
    expect(await oauthError(exchangeCode(config, walk.callback, request))).toBe('invalid_grant');
    expect(await oauthError(client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck))).toBe('invalid_token');
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('lets one of many concurrent uses of a code win, and revokes the grant for the others', async () => {
    const user = await person();
    const config = await relyingParty(t.issuer, await registerClient(t));
    const request = await authorizationRequest(config);
    const walk = await walkLoginPages(new BrowserSession(), request.url, user.answers);
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => exchangeCode(config, walk.callback, request)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  });

  it('issues a refresh token only with offline_access, rotates it on every use, and revokes the grant when a rotated one comes back (44)', async () => {
    const user = await person();
    const config = await relyingParty(t.issuer, await registerClient(t));
    const browser = new BrowserSession();
    const { tokens } = await signIn(config, user.answers, { scope: 'openid offline_access' }, browser);
    const first = tokens.refresh_token!;
    expect(first).toBeTruthy();
    const second = await client.refreshTokenGrant(config, first);
    noteTokens(second);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    expect(second.claims()!.sub).toBe(tokens.claims()!.sub);
    const third = await client.refreshTokenGrant(config, second.refresh_token!);
    noteTokens(third);
    // The first, rotated away, is used again: the whole grant goes.
    expect(await oauthError(client.refreshTokenGrant(config, first))).toBe('invalid_grant');
    expect(await oauthError(client.refreshTokenGrant(config, third.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(client.fetchUserInfo(config, third.access_token, client.skipSubjectCheck))).toBe('invalid_token');
  });

  it('revokes tokens of the calling client only (46)', async () => {
    const user = await person();
    const registered = await registerClient(t);
    const config = await relyingParty(t.issuer, registered);
    const other = await relyingParty(t.issuer, await registerClient(t));
    const { tokens } = await signIn(config, user.answers, { scope: 'openid offline_access' });
    // Another client's revocation is answered as done, and changes nothing.
    await client.tokenRevocation(other, tokens.access_token);
    await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    await client.tokenRevocation(config, tokens.access_token);
    expect(await oauthError(client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub))).toBe('invalid_token');
    await client.tokenRevocation(config, tokens.refresh_token!);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('introspects its own tokens; another client’s token is inactive (46)', async () => {
    const user = await person();
    const registered = await registerClient(t);
    const config = await relyingParty(t.issuer, registered);
    const other = await relyingParty(t.issuer, await registerClient(t));
    const { tokens } = await signIn(config, user.answers, { scope: 'openid email offline_access' });
    const own = await client.tokenIntrospection(config, tokens.access_token);
    expect(own).toMatchObject({ active: true, client_id: registered.clientId, sub: tokens.claims()!.sub, token_type: 'Bearer' });
    expect(await client.tokenIntrospection(config, tokens.refresh_token!)).toMatchObject({ active: true });
    expect(await client.tokenIntrospection(other, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(other, tokens.refresh_token!)).toEqual({ active: false });
    expect(await client.tokenIntrospection(config, 'not-a-token')).toEqual({ active: false });
  });

  it('authenticates clients by client_secret_post, and public clients by none with PKCE (44)', async () => {
    const user = await person();
    const post = await relyingParty(t.issuer, await registerClient(t, { token_endpoint_auth_method: 'client_secret_post' }));
    expect((await signIn(post, user.answers)).tokens.access_token).toBeTruthy();
    const spa = await registerClient(t, { token_endpoint_auth_method: 'none' });
    expect(spa.clientSecret).toBeNull();
    const publicConfig = await relyingParty(t.issuer, spa);
    const { tokens } = await signIn(publicConfig, user.answers, { scope: 'openid offline_access' });
    expect(tokens.refresh_token).toBeTruthy();
    // A wrong secret is refused.
    const wrong = await relyingParty(t.issuer, {
      ...(await registerClient(t)),
      clientSecret: 'wrong-secret-of-the-right-length-000000000',
    });
    expect(await oauthError(signIn(wrong, user.answers))).toBe('invalid_client');
  });

  it('gives each pairwise client a subject of its own, stable for it (OIDC Core 8.1)', async () => {
    const user = await person();
    const browser = new BrowserSession();
    const subOf = async (config: client.Configuration) => (await signIn(config, user.answers, {}, browser)).tokens.claims()!.sub;
    const first = await relyingParty(t.issuer, await registerClient(t, { subject_type: 'pairwise' }));
    const second = await relyingParty(t.issuer, await registerClient(t, { subject_type: 'pairwise' }));
    const plain = await relyingParty(t.issuer, await registerClient(t));
    const [a, b, publicSub] = [await subOf(first), await subOf(second), await subOf(plain)];
    expect(new Set([a, b, publicSub]).size).toBe(3);
    expect(await subOf(first)).toBe(a);
    expect(publicSub).toMatch(/^[0-9a-f]{32}$/);
    const info = await client.fetchUserInfo(first, (await signIn(first, user.answers, {}, browser)).tokens.access_token, a);
    expect(info.sub).toBe(a);
  });

  it('takes pushed authorization requests (PAR)', async () => {
    const user = await person();
    const config = await relyingParty(t.issuer, await registerClient(t));
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const walk = await walkLoginPages(new BrowserSession(), url.href, user.answers);
    const tokens = await client.authorizationCodeGrant(config, walk.callback, { pkceCodeVerifier: verifier, expectedState: state });
    noteTokens(tokens);
    expect(tokens.access_token).toBeTruthy();
  });
});
