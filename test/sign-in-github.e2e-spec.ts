import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubStandIn } from './helpers/github-stand-in.js';
import { addProvider, callbackUri, deliverCallback, exchange, RETURN_TO } from './helpers/social-sign-in.js';
import { createActiveUser, startTestApp, type TestApp, uniqueEmail } from './helpers/test-app.js';

const API = '/one_auth/api';

/**
 * GitHub (OAuth 2, no OpenID Connect), through a stand-in server that
 * implements its documented endpoints (test/helpers/github-stand-in.ts):
 * who signed in comes from its REST API, the address from its
 * verified-emails API, which answers whether the address is public or not.
 */
describe('sign in with GitHub', () => {
  let t: TestApp;
  let github: GitHubStandIn;
  const id = `github-${randomUUID().slice(0, 6)}`;
  let nextId = Math.floor(Math.random() * 1_000_000);

  /** A GitHub user whose only address is private, primary, and verified or not. */
  function gitHubUser(email: string, verified: boolean, extra: { email: string; verified: boolean }[] = []): string {
    const login = `octo-${randomUUID().slice(0, 8)}`;
    github.people.set(login, {
      id: ++nextId,
      login,
      publicEmail: null,
      emails: [
        { email, primary: true, verified, visibility: 'private' },
        ...extra.map((address) => ({ ...address, primary: false, visibility: null })),
      ],
    });
    return login;
  }

  async function signIn(login: string, provider = id) {
    const start = await t.http.get(`${API}/sign_in/${provider}`).query({ return_to: RETURN_TO }).expect(302);
    const location = new URL(start.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(`${github.web}/login/oauth/authorize`);
    expect(location.searchParams.get('scope')).toBe('user:email');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(callbackUri(provider));
    return deliverCallback(t, await github.authorize(location.href, login));
  }

  beforeAll(async () => {
    github = await GitHubStandIn.start();
    t = await startTestApp({ SOCIAL_RETURN_URLS: RETURN_TO });
    await addProvider(t, { id, kind: 'github', issuer: github.web, ...github.addClient(), trustEmail: true });
  });
  afterAll(async () => {
    await t?.close();
    await github?.stop();
  });

  it('is listed as GitHub by default', async () => {
    const response = await t.http.get(`${API}/providers`).expect(200);
    expect(response.body.providers).toContainEqual({ id, name: 'GitHub' });
  });

  it('signs in a person whose address is private, by the verified-emails API, and opens the same account the next time', async () => {
    const email = uniqueEmail('octocat');
    const login = gitHubUser(email, true);
    const first = await signIn(login);
    const token = await exchange(t, first.loginCode!).expect(200);
    expect(token.body.user_profile.email).toBe(email);
    // A renamed login is the same GitHub user (its numeric id).
    const person = github.people.get(login)!;
    github.people.set('renamed-' + login, { ...person, login: 'renamed-' + login });
    const again = await signIn('renamed-' + login);
    expect((await exchange(t, again.loginCode!).expect(200)).body.user_profile.email).toBe(email);
    const identities = await t.http.get(`${API}/user/identities`).set('Authorization', `Bearer ${token.body.access_token}`).expect(200);
    expect(identities.body.identities).toMatchObject([{ provider: id, email }]);
  });

  it('never opens an existing account by an unverified primary address, nor by a verified address that is not the primary one', async () => {
    const owner = await createActiveUser(t);
    expect((await signIn(gitHubUser(owner.email, false))).error).toBe('link_required');

    const other = await createActiveUser(t);
    const primary = uniqueEmail('primary');
    const answer = await signIn(gitHubUser(primary, true, [{ email: other.email, verified: true }]));
    // The primary address is the one that counts: a new account for it, the other account untouched.
    expect((await exchange(t, answer.loginCode!).expect(200)).body.user_profile.email).toBe(primary);
    const events = await t.http.get(`${API}/user/events`).set('Authorization', `Bearer ${other.token}`).expect(200);
    expect((events.body.events as { type: string }[]).map((event) => event.type)).not.toContain('identity_linked');
  });

  it('links the existing account of a verified primary address, as GitHub is trusted here', async () => {
    const owner = await createActiveUser(t);
    const answer = await signIn(gitHubUser(owner.email, true));
    expect((await exchange(t, answer.loginCode!).expect(200)).body.user_profile.email).toBe(owner.email);
  });

  it('answers access_denied when the person refuses, and invalid_response when GitHub refuses the code (its 200 with an error)', async () => {
    expect((await signIn('deny')).error).toBe('access_denied');
    const wrong = `${id}-wrong`;
    const { clientId } = github.addClient();
    await addProvider(t, { id: wrong, kind: 'github', issuer: github.web, clientId, clientSecret: 'not-the-secret', trustEmail: true });
    expect((await signIn(gitHubUser(uniqueEmail('wrong'), true), wrong)).error).toBe('invalid_response');
  });
});
