import { ProviderRemoval } from '../../src/identities/provider-removal.service.js';
import { SignInProvidersService } from '../../src/sign-in-providers/sign-in-providers.service.js';
import { noteSecret } from './secrets.js';
import type { TestApp } from './test-app.js';
import type { UpstreamProvider } from './upstream-provider.js';

/** Where the test apps let a sign-in with another provider return to (SOCIAL_RETURN_URLS). */
export const RETURN_TO = 'https://app.one-auth.test/signed-in';
/** The redirect URI one_auth registers at a provider of that id, under the test apps' PUBLIC_URL. */
export const callbackUri = (providerId: string) => `http://one-auth.test/one_auth/api/sign_in/${providerId}/callback`;

/** Adds a provider through its owner's service, as `providers add` does; removes one of that id first. */
export async function addProvider(
  t: TestApp,
  input: { id: string; issuer: string; clientId: string; clientSecret: string; trustEmail?: boolean; kind?: string; name?: string },
): Promise<void> {
  await t.app
    .get(ProviderRemoval)
    .remove(input.id, { address: '', userAgent: 'test' })
    .catch(() => undefined);
  await t.app.get(SignInProvidersService).add(input);
}

/** Adds the upstream OpenID provider under `id`, trusted or not to say an address is verified. */
export function addUpstream(t: TestApp, upstream: UpstreamProvider, id: string, trustEmail: boolean): Promise<void> {
  return addProvider(t, { id, issuer: upstream.issuer, ...upstream.client, trustEmail });
}

/** What the callback sent the browser back to the app with. */
export interface Answer {
  url: URL;
  loginCode: string | null;
  error: string | null;
}

export function answerOf(location: string): Answer {
  const url = new URL(location);
  const loginCode = url.searchParams.get('login_code');
  noteSecret(loginCode);
  return { url, loginCode, error: url.searchParams.get('error') };
}

/** The callback request (53) as the browser makes it, on any app (an instance): its answer at return_to. */
export async function deliverCallback(t: TestApp, callback: URL): Promise<Answer> {
  const response = await t.http.get(callback.pathname + callback.search).expect(302);
  return answerOf(response.headers.location as string);
}

/**
 * A whole sign-in through the browser: 52 on `t`, the upstream as `as`, the
 * callback (on `callbackOn`, another instance if given).
 */
export async function signInWith(
  t: TestApp,
  upstream: UpstreamProvider,
  providerId: string,
  as: string,
  { callbackOn = t, returnTo = RETURN_TO }: { callbackOn?: TestApp; returnTo?: string } = {},
): Promise<Answer> {
  const start = await t.http.get(`/one_auth/api/sign_in/${providerId}`).query({ return_to: returnTo }).expect(302);
  const callback = await upstream.authorize(start.headers.location as string, as);
  return deliverCallback(callbackOn, callback);
}

/** 54: the login code for a token (200) or whatever it answers. */
export function exchange(t: TestApp, loginCode: string) {
  return t.http.post('/one_auth/api/access_tokens/login_code').send({ login_code: loginCode });
}
