import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser } from './helpers/test-app.js';
import { client, type OidcTestApp, registerClient, relyingParty, signIn, startOidcTestApp } from './helpers/oidc-rp.js';

describe('Sign in with one_auth: discovery and the code flow (42–45)', () => {
  let t: OidcTestApp;

  beforeAll(async () => {
    t = await startOidcTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('publishes its configuration as SPEC 42 lists it', async () => {
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
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(String(document[endpoint]).startsWith(`${t.issuer}/`), endpoint).toBe(true);
    }
    expect(document.backchannel_logout_supported).toBe(true);
    expect(document.claims_supported).toEqual(expect.arrayContaining(['sub', 'name', 'email', 'email_verified', 'address', 'department']));
    console.log(JSON.stringify(document, null, 1));
  });

  it('signs a person in with code and PKCE, and userinfo answers the granted scopes', async () => {
    const user = await createActiveUser(t);
    const registered = await registerClient(t);
    const config = await relyingParty(t.issuer, registered);
    const { tokens, walk } = await signIn(config, { email: user.email, password: user.password }, { scope: 'openid profile email' });
    expect(walk.shown).toEqual(['sign-in']);
    const claims = tokens.claims()!;
    console.log(claims);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    console.log(info);
    expect(info.email).toBe(user.email);
  });
});
