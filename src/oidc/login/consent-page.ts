import { html, type SafeHtml } from './html.js';
import { csrfField, emailLine, layout } from './layout.js';
import type { InteractionPage } from './sign-in-pages.js';

/** Each scope in words, as the person is asked about it. */
export const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Know who you are on one_auth',
  profile: 'See your name, profile picture and department',
  email: 'See your email address',
  address: 'See your country',
  offline_access: 'Keep access while you are not using it, until you revoke it',
};

/**
 * A third-party app asks for what it may see; the answer is remembered for
 * this set of scopes. The question stays short whatever the app's name; the
 * name, which can be long, has the line below to itself.
 */
export function consentPage(page: InteractionPage, { email, scopes }: { email: string; scopes: string[] }): SafeHtml {
  const shown = scopes.filter((scope) => scope in SCOPE_WORDS);
  return layout(
    { title: `Allow ${page.appName}?`, mountPath: page.mountPath },
    html`<h1>Allow access to your one_auth account?</h1>
      <p class="lead"><strong>${page.appName}</strong> is asking to:</p>
      <ul class="scopes">
        ${shown.map((scope) => html`<li>${SCOPE_WORDS[scope]}</li>`)}
      </ul>
      <p>You are signed in as ${emailLine(email)}</p>
      <form method="post" action="${page.base}/consent" class="actions">
        ${csrfField(page.csrf)}
        <button type="submit" name="decision" value="allow" class="button">Allow</button>
        <button type="submit" name="decision" value="deny" class="button button-secondary">Don’t allow</button>
      </form>
      <p class="hint">
        one_auth keeps a list of the apps you allow. An app that uses one_auth can show you this list and let you take access back.
      </p> `,
  );
}
