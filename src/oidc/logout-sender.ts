import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A receiver that takes longer than this has failed the try; it is tried again later. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * POSTs one logout token as a form (Back-Channel Logout 1.0 §2.5);
 * resolves on a 2xx answer. node:http rather than fetch, as for webhooks:
 * fetch refuses ports a client's endpoint may well use. Redirects are not
 * followed: the token goes to the registered endpoint only.
 */
export function postLogoutToken(url: string, logoutToken: string, abort: AbortSignal): Promise<void> {
  const body = new URLSearchParams({ logout_token: logoutToken }).toString();
  const signal = AbortSignal.any([abort, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'one_auth-backchannel-logout',
  };
  return new Promise<void>((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers, signal }, (response) => {
      response.resume();
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status <= 299) resolve();
        else reject(new Error(`endpoint answered ${status}`));
      });
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(signal.aborted ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s or shutting down` : (error.code ?? error.message)),
      ),
    );
    outgoing.end(body);
  });
}
