import { html, type HtmlValue, type SafeHtml } from './html.js';
import { csrfField, emailLine, errorSummary, fieldClass, fieldDescription, type FieldProblem, fieldError, layout } from './layout.js';

/** A provider a person may continue with (51): its id and the name on its button. */
export interface ProviderChoice {
  id: string;
  name: string;
}

/** What every page of an interaction knows: where it posts, its CSRF token, the app asking, the providers on offer. */
export interface InteractionPage {
  mountPath: string;
  /** The interaction's own path: `<issuer path>/interaction/<uid>`. */
  base: string;
  csrf: string;
  appName: string;
  providers: ProviderChoice[];
}

const PASSKEY_SCRIPTS = ['webauthn.js', 'passkey.js'];

/** The way back to the app without signing in: it is told the person declined (access_denied). */
export function cancelForm(page: InteractionPage): SafeHtml {
  return html`<form method="post" action="${page.base}/cancel" class="cancel">
    ${csrfField(page.csrf)}
    <button type="submit" class="link-button">Cancel and go back to ${page.appName}</button>
  </form>`;
}

/**
 * The passkey button: hidden until the script finds WebAuthn in the browser
 * (nothing else on the pages needs JavaScript). The script fetches options
 * from `…/passkey/options`, puts the authenticator's answer in the form and
 * submits it.
 */
function passkeyForm(page: InteractionPage, label: string): SafeHtml {
  return html`<form method="post" action="${page.base}/passkey" class="passkey" data-passkey-form hidden>
    ${csrfField(page.csrf)}
    <input type="hidden" name="response" value="" />
    <div class="divider"><span>or</span></div>
    <button type="button" class="button button-secondary" data-passkey-start>${label}</button>
    <p class="field-error" data-passkey-error hidden></p>
  </form>`;
}

/**
 * "Continue with …": one button per provider an operator enabled (51), each
 * a submit of one form, so it works without JavaScript and carries the
 * CSRF token. Nothing when there is none.
 */
function providersForm(page: InteractionPage, problems: FieldProblem[]): HtmlValue {
  if (page.providers.length === 0) return null;
  const invalid = problems.some((problem) => problem.field === 'providers');
  // A form is no field: the message describes it, but aria-invalid has no meaning on it.
  return html`<form
      method="post"
      action="${page.base}/provider"
      class="providers${invalid ? ' field-invalid' : ''}"
      id="providers"
      tabindex="-1"
      ${invalid ? html`aria-describedby="providers-error"` : null}
    >
      ${csrfField(page.csrf)} ${fieldError(problems, 'providers')}
      ${page.providers.map(
        (provider) =>
          html`<button
            type="submit"
            name="provider"
            value="${provider.id}"
            class="button button-provider"
            data-initial="${[...provider.name][0]?.toUpperCase() ?? ''}"
          >
            Continue with ${provider.name}
          </button>`,
      )}
    </form>
    <div class="divider"><span>or</span></div>`;
}

/**
 * Step one: another provider, email and password, or a passkey that names
 * the account itself; or a new account. With the address already known
 * (the app's login_hint) the password field has the focus, so the person
 * types it at once; a form that came back focuses its error summary instead.
 */
export function signInPage(page: InteractionPage, { email, problems }: { email: string; problems: FieldProblem[] }): SafeHtml {
  const passwordFirst = email !== '' && problems.length === 0;
  return layout(
    { title: problems.length > 0 ? 'Error: Sign in' : 'Sign in', mountPath: page.mountPath, scripts: PASSKEY_SCRIPTS },
    html`${errorSummary(problems)}
      <h1>Sign in</h1>
      <p class="lead">to continue to <strong>${page.appName}</strong></p>
      ${providersForm(page, problems)}
      <form method="post" action="${page.base}/login" novalidate>
        ${csrfField(page.csrf)}
        <div class="${fieldClass(problems, 'email')}">
          <label for="email">Email address</label>
          ${fieldError(problems, 'email')}
          <input
            class="input"
            id="email"
            name="email"
            type="email"
            value="${email}"
            autocomplete="username webauthn"
            spellcheck="false"
            autocapitalize="none"
            ${fieldDescription(problems, 'email')}
            required
          />
        </div>
        <div class="${fieldClass(problems, 'password')}">
          <label for="password">Password</label>
          ${fieldError(problems, 'password')}
          <input
            class="input"
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            ${fieldDescription(problems, 'password')}
            ${passwordFirst ? html`autofocus` : null}
            required
          />
          <p class="field-link"><a href="${page.base}/reset">Forgot your password?</a></p>
        </div>
        <button type="submit" class="button">Sign in</button>
      </form>
      ${passkeyForm(page, 'Sign in with a passkey')}
      <p class="switch">New to one_auth? <a href="${page.base}/sign-up">Create an account</a></p>
      ${cancelForm(page)} `,
  );
}

/** Step two, on an account with two-step login: a code from the authenticator app, a recovery code, or a passkey. */
export function secondStepPage(
  page: InteractionPage,
  { email, passkey, problems }: { email: string; passkey: boolean; problems: FieldProblem[] },
): SafeHtml {
  return layout(
    {
      title: problems.length > 0 ? 'Error: Two-step verification' : 'Two-step verification',
      mountPath: page.mountPath,
      scripts: passkey ? PASSKEY_SCRIPTS : [],
    },
    html`${errorSummary(problems)}
      <h1>Two-step verification</h1>
      <p class="lead">Signing in to <strong>${page.appName}</strong> as ${emailLine(email)}</p>
      <form method="post" action="${page.base}/second-step" novalidate>
        ${csrfField(page.csrf)}
        <div class="${fieldClass(problems, 'code')}">
          <label for="code">Code from your authenticator app</label>
          <p class="hint" id="code-hint">The 6-digit code it shows for one_auth</p>
          ${fieldError(problems, 'code')}
          <input
            class="input input-code"
            id="code"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            spellcheck="false"
            maxlength="6"
            ${fieldDescription(problems, 'code', 'code-hint')}
            autofocus
          />
        </div>
        <button type="submit" class="button">Continue</button>
      </form>
      <details class="details" ${problems.some((p) => p.field === 'recovery-code') ? ' open' : ''}>
        <summary>Use a recovery code instead</summary>
        <form method="post" action="${page.base}/second-step" novalidate>
          ${csrfField(page.csrf)} ${recoveryCodeField(problems)}
          <button type="submit" class="button button-secondary">Continue</button>
        </form>
      </details>
      ${passkey ? passkeyForm(page, 'Use a passkey instead') : null} ${cancelForm(page)} `,
  );
}

/** The recovery code's field: the second step's and the reset's alternative to the authenticator app's code. */
export function recoveryCodeField(problems: FieldProblem[]): SafeHtml {
  return html`<div class="${fieldClass(problems, 'recovery-code')}">
    <label for="recovery-code">Recovery code</label>
    ${fieldError(problems, 'recovery-code')}
    <input
      class="input"
      id="recovery-code"
      name="recovery_code"
      type="text"
      autocomplete="one-time-code"
      spellcheck="false"
      autocapitalize="none"
      ${fieldDescription(problems, 'recovery-code')}
    />
  </div>`;
}
