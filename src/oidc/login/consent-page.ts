import { html, type SafeHtml } from './html.js';
import { csrfField, layout } from './layout.js';
import type { InteractionPage } from './sign-in-pages.js';

/** Each scope in words, as the person is asked about it. */
export const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Know who you are on one_auth',
  profile: 'See your name, profile picture and department',
  email: 'See your email address',
  address: 'See your country',
  offline_access: 'Keep access while you are not using it, until you revoke it',
};

/** A third-party app asks for what it may see; the answer is remembered for this set of scopes. */
export function consentPage(page: InteractionPage, { email, scopes }: { email: string; scopes: string[] }): SafeHtml {
  const shown = scopes.filter((scope) => scope in SCOPE_WORDS);
  return layout(
    { title: `Allow ${page.appName}?`, mountPath: page.mountPath },
    html`<h1>Allow ${page.appName} to use your one_auth account?</h1>
      <p class="lead">Signed in as <strong>${email}</strong></p>
      <p>${page.appName} will be able to:</p>
      <ul class="scopes">
        ${shown.map((scope) => html`<li>${SCOPE_WORDS[scope]}</li>`)}
      </ul>
      <form method="post" action="${page.base}/consent" class="actions">
        ${csrfField(page.csrf)}
        <button type="submit" name="decision" value="allow" class="button">Allow</button>
        <button type="submit" name="decision" value="deny" class="button button-secondary">Don’t allow</button>
      </form>
      <p class="hint">You can revoke its access at any time from the apps of your account.</p> `,
  );
}
