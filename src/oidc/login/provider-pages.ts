import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

/** The provider's logout confirmation (47): its own form's action and token, in this service's page; what it does, then the choice. */
export function logoutPage(
  mountPath: string,
  { action, xsrf, appName }: { action: string; xsrf: string; appName: string | null },
): SafeHtml {
  return layout(
    { title: 'Sign out', mountPath },
    html`<h1>Sign out of one_auth?</h1>
      ${appName ? html`<p class="lead"><strong>${appName}</strong> asked to sign you out.</p>` : html`<p class="lead">You are signed in to one_auth in this browser.</p>`}
      <p>Signing out ends your one_auth session in this browser, and with it your sign-in to every app that uses it here.</p>
      <form method="post" action="${action}" class="actions">
        <input type="hidden" name="xsrf" value="${xsrf}" />
        <button type="submit" name="logout" value="yes" class="button">Sign out</button>
        <button type="submit" class="button button-secondary">${appName ? html`Only sign out of ${appName}` : 'Stay signed in'}</button>
      </form> `,
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

/** What a person is told of an error, by the provider's error code: what happened, and what to do. */
interface Explanation {
  what: string;
  next: string;
}

const TRY_AGAIN = 'Go back to the app and try again. If it happens again, tell the people who run the app.';
const TELL_THE_APP = 'Let the people who run the app know, and show them the details below.';

const RELOAD = 'Go back, reload the page and try again.';

/** Words for the errors a person can meet: the provider's, then the login pages' own; anything else is said generally. */
const EXPLANATIONS: Readonly<Record<string, Explanation>> = {
  invalid_redirect_uri: {
    what: 'The app that sent you here gave a return address it has not registered with one_auth, so you cannot be sent back to it.',
    next: TELL_THE_APP,
  },
  invalid_client: { what: 'The app that sent you here is not registered with one_auth.', next: TELL_THE_APP },
  invalid_request: { what: 'The app that sent you here asked one_auth for something it cannot do.', next: TRY_AGAIN },
  access_denied: { what: 'Signing in was cancelled.', next: 'Go back to the app if you want to start again.' },
  invalid_csrf: { what: 'This form has expired or did not come from this page.', next: RELOAD },
  invalid_form: { what: 'This form could not be read.', next: RELOAD },
  not_found: { what: 'There is no such page.', next: 'Go back to the app and start again.' },
  temporarily_unavailable: { what: 'Signing in is not possible just now.', next: 'Try again in a moment.' },
};
const UNKNOWN: Explanation = { what: 'Something went wrong while signing you in.', next: TRY_AGAIN };

/**
 * An error the person sees instead of being sent back to the app (an
 * unregistered redirect URI, an unknown client, a form that cannot be
 * taken): what happened and what to do in plain words, and the error as the
 * provider names it, for the app's developer, folded away below. It never
 * links or redirects to a URI from the request.
 */
export function errorPage(
  mountPath: string,
  { error, description, requestId, appName }: { error: string; description?: string; requestId?: string; appName?: string },
): SafeHtml {
  if (error === SIGN_IN_OVER) return signInOverPage(mountPath, { requestId, appName });
  const { what, next } = EXPLANATIONS[error] ?? UNKNOWN;
  return layout(
    { title: 'Sign-in problem', mountPath },
    html`<h1>There is a problem signing you in</h1>
      <p class="lead">${what}</p>
      <p>${next}</p>
      ${developerDetails({ error, description, requestId })} `,
  );
}

/** The provider's error for an interaction (or its cookie) that is no longer there. */
const SIGN_IN_OVER = 'session_not_found';

/**
 * A sign-in page asked for after its sign-in ended: the Back button after
 * signing in, an old tab, a link opened in another browser. Nothing is
 * wrong, so it says what happened and how to go on, naming the app when
 * the browser's cookie of the interaction said which it was.
 */
function signInOverPage(mountPath: string, { requestId, appName }: { requestId?: string; appName?: string }): SafeHtml {
  return layout(
    { title: 'Sign-in finished or expired', mountPath },
    html`<h1>This sign-in has finished or expired</h1>
      <p class="lead">Go back to ${appName ? html`<strong>${appName}</strong>` : 'the app you were signing in to'} and start again.</p>
      <p>If you have just signed in, there is nothing more to do here.</p>
      ${developerDetails({ error: SIGN_IN_OVER, requestId })} `,
  );
}

/** The error as the provider names it, its description and the request's reference, folded away: for the app's developer. */
function developerDetails({ error, description, requestId }: { error: string; description?: string; requestId?: string }): SafeHtml {
  return html`<details class="details developer-details">
    <summary>Details for the app’s developer</summary>
    <dl class="details-list">
      <dt>Error</dt>
      <dd><code>${error}</code></dd>
      ${
        description
          ? html`<dt>Description</dt>
              <dd>${description}</dd>`
          : null
      }
      ${
        requestId
          ? html`<dt>Reference</dt>
              <dd><code>${requestId}</code></dd>`
          : null
      }
    </dl>
  </details>`;
}
