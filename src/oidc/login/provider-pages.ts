import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

/** The provider's logout confirmation (47): its own form's action and token, in this service's page. */
export function logoutPage(
  mountPath: string,
  { action, xsrf, appName }: { action: string; xsrf: string; appName: string | null },
): SafeHtml {
  return layout(
    { title: 'Sign out', mountPath },
    html`<h1>Sign out of one_auth?</h1>
      ${appName ? html`<p class="lead"><strong>${appName}</strong> asked to sign you out.</p>` : html`<p class="lead">You are signed in to one_auth in this browser.</p>`}
      <form method="post" action="${action}" class="actions">
        <input type="hidden" name="xsrf" value="${xsrf}" />
        <button type="submit" name="logout" value="yes" class="button">Sign out</button>
        <button type="submit" class="button button-secondary">${appName ? html`Only sign out of ${appName}` : 'Stay signed in'}</button>
      </form>
      <p class="hint">
        Signing out ends your one_auth session in this browser, and with it your sign-in to every app that uses it here.
      </p> `,
  );
}

export function loggedOutPage(mountPath: string, appName: string | null): SafeHtml {
  return layout(
    { title: 'Signed out', mountPath },
    html`<h1>You are signed out</h1>
      <p class="lead">${appName ? html`You signed out of <strong>${appName}</strong>.` : 'You signed out of one_auth in this browser.'}</p>
      <p>You can close this page.</p> `,
  );
}

/** Words for the errors a person can meet, by the provider's error code; anything else is said generally. */
const EXPLANATIONS: Readonly<Record<string, string>> = {
  invalid_redirect_uri: 'The app sent you here with a return address it has not registered, so you cannot be sent back to it.',
  invalid_client: 'The app that sent you here is not registered with one_auth.',
  invalid_request: 'The app that sent you here made a request one_auth cannot accept.',
  session_not_found: 'Your sign-in took too long or was already finished. Go back to the app and start again.',
  access_denied: 'Signing in was cancelled.',
  temporarily_unavailable: 'Signing in is not possible just now. Try again in a moment.',
};

/**
 * An error the person sees instead of being sent back to the app (an
 * unregistered redirect URI, an unknown client, an expired sign-in): it
 * never links or redirects to a URI from the request.
 */
export function errorPage(
  mountPath: string,
  { error, description, requestId }: { error: string; description?: string; requestId?: string },
): SafeHtml {
  const explanation = EXPLANATIONS[error] ?? 'Something went wrong while signing you in. Go back to the app and try again.';
  return layout(
    { title: 'Sign-in problem', mountPath },
    html`<h1>There is a problem signing you in</h1>
      <p class="lead">${explanation}</p>
      <dl class="details-list">
        <dt>Error</dt>
        <dd><code>${error}</code></dd>
        ${
          description
            ? html`<dt>Details</dt>
                <dd>${description}</dd>`
            : null
        }
        ${
          requestId
            ? html`<dt>Reference</dt>
                <dd><code>${requestId}</code></dd>`
            : null
        }
      </dl> `,
  );
}
