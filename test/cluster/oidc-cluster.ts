import { spawnSync } from 'node:child_process';
import type { ClientRegistration } from '../../src/oidc-clients/client-registration.js';
import { type BrowserSession, fieldValue, formAction, type PageResponse } from '../helpers/browser-session.js';
import { pageKind } from '../helpers/login-pages.js';
import { client, type RegisteredTestClient, relyingParty, TEST_REDIRECT_URI } from '../helpers/oidc-rp.js';
import { noteSecret } from '../helpers/secrets.js';

/*
 * The OpenID Provider on the cluster, from a relying party's and a browser's
 * side: every request sent to an instance chosen by the test (not by the
 * balancer), so a test knows which instance answered each step.
 */

/** The issuer's origin (the balancer's) in `url` replaced by an instance's. */
export const onInstance = (url: string, issuerOrigin: string, instanceOrigin: string) => url.replace(issuerOrigin, instanceOrigin);

/** `node dist/cli.js …` with an instance's environment: the operator's commands, against the cluster. */
export function cliOf(env: Record<string, string>) {
  return (...args: string[]) => {
    const run = spawnSync(process.execPath, ['dist/cli.js', ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(`cli ${args.slice(0, 2).join(' ')} exited ${run.status}: ${run.stderr}`);
    return run.stdout;
  };
}

/** A first-party confidential app registered by the clients command, as openid-client is given it. */
export function registerByCli(cli: ReturnType<typeof cliOf>, name: string, alg: 'RS256' | 'ES256' = 'RS256'): RegisteredTestClient {
  const out = cli('clients', 'create', name, '--redirect-uri', TEST_REDIRECT_URI, '--first-party', '--id-token-signed-response-alg', alg);
  const value = (key: string) => new RegExp(`^${key}=(.+)$`, 'm').exec(out)?.[1];
  const registration: ClientRegistration = {
    client_name: name,
    redirect_uris: [TEST_REDIRECT_URI],
    post_logout_redirect_uris: [],
    backchannel_logout_uri: null,
    token_endpoint_auth_method: 'client_secret_basic',
    subject_type: 'public',
    id_token_signed_response_alg: alg,
    first_party: true,
    pkce_optional: false,
  };
  noteSecret(value('client_secret'));
  return { clientId: value('client_id')!, clientSecret: value('client_secret')!, registration };
}

/**
 * openid-client for a registered app whose every call goes to the instance
 * `pick` chooses (discovery itself goes through the balancer, as an app's
 * would); `served` records which instance each call went to.
 */
export async function relyingPartyOn(
  issuer: string,
  registered: RegisteredTestClient,
  origins: string[],
  pick: () => number,
  served: number[] = [],
): Promise<client.Configuration> {
  const config = await relyingParty(issuer, registered);
  const issuerOrigin = new URL(issuer).origin;
  config[client.customFetch] = (url, options) => {
    const i = pick();
    served.push(i);
    return fetch(onInstance(url, issuerOrigin, origins[i]), options);
  };
  return config;
}

/**
 * A browser going through the login pages with each request on the instance
 * `next` names: the authorization request, the sign-in page, its form, and
 * every redirect back to the provider, until the provider sends the browser
 * to the app. Answers the callback URL and the pages' answers in order.
 */
export async function loginAcrossInstances(
  browser: BrowserSession,
  authorizationUrl: string,
  credentials: { email: string; password: string },
  origins: string[],
  next: () => number,
  served: number[],
): Promise<{ callback: URL; answers: PageResponse[] }> {
  const issuerOrigin = new URL(authorizationUrl).origin;
  const answers: PageResponse[] = [];
  const hop = async (url: string, form?: Record<string, string>) => {
    const i = next();
    served.push(i);
    const answer = await browser.request(onInstance(url, issuerOrigin, origins[i]), form ? { form } : {});
    answers.push(answer);
    return answer;
  };
  let answer = await hop(authorizationUrl);
  let at = authorizationUrl;
  for (let hops = 0; hops < 10; hops++) {
    const location = answer.headers.get('location');
    if (answer.status >= 300 && answer.status < 400 && location) {
      at = new URL(location, at).href;
      if (at.startsWith(TEST_REDIRECT_URI)) return { callback: new URL(at), answers };
      answer = await hop(at);
    } else if (answer.status === 200 && pageKind(answer) === 'sign-in') {
      const action = new URL(formAction(answer.body, '/login')!, at).href;
      answer = await hop(action, { csrf: fieldValue(answer.body, 'csrf')!, ...credentials });
    } else {
      throw new Error(`unexpected answer ${answer.status} at ${at}: ${answer.body.slice(0, 300)}`);
    }
  }
  throw new Error('the login did not come back to the app');
}

/** The kids an instance publishes at its JWKS. */
export async function publishedKids(origin: string): Promise<string[]> {
  const answer = await fetch(`${origin}/one_auth/oidc/jwks`);
  return ((await answer.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
}

/** The keys `signing-keys rotate` printed as next (published now, signing later), with when each signs. */
export function nextKeysOf(listing: string): { kid: string; alg: string; signsFrom: number }[] {
  return listing
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .filter(([, , , state]) => state === 'next')
    .map(([kid, alg, , , signsFrom]) => ({ kid, alg, signsFrom: Date.parse(signsFrom) }));
}
