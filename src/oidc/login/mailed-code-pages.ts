import { html, type HtmlValue, type SafeHtml } from './html.js';
import {
  csrfField,
  emailInText,
  emailLine,
  errorSummary,
  fieldClass,
  fieldDescription,
  type FieldProblem,
  fieldError,
  layout,
} from './layout.js';
import type { CodePurpose } from './mailed-code-steps.js';
import { cancelForm, type InteractionPage, recoveryCodeField } from './sign-in-pages.js';

/*
 * The pages of a sign-up and of a password reset, one question each in the
 * GOV.UK manner: the address, the code mailed to it, the password (with,
 * for a reset on an account with two-step login, its second factor's code).
 */

/** What the two flows say where they differ. */
interface Words {
  emailTitle: string;
  emailLead: (page: InteractionPage) => HtmlValue;
  emailHint: string;
  /** `email` for a new account's address, `username` for the address an account signs in with. */
  emailAutocomplete: string;
  codeLead: (email: string, via?: string) => HtmlValue;
  passwordTitle: string;
  passwordLabel: string;
  passwordButton: string;
}

const WORDS: Record<CodePurpose, Words> = {
  'sign-up': {
    emailTitle: 'Create an account',
    emailLead: (page) => html`to continue to <strong>${page.appName}</strong>`,
    emailHint: 'We will send a code to this address to check it is yours.',
    emailAutocomplete: 'email',
    codeLead: (email, via) =>
      via
        ? html`${via} did not confirm your email address to us, so we sent a 6-digit code to ${emailLine(email)}`
        : html`We sent a 6-digit code to ${emailLine(email)}`,
    passwordTitle: 'Create a password',
    passwordLabel: 'Password',
    passwordButton: 'Create account',
  },
  reset: {
    emailTitle: 'Reset your password',
    emailLead: () => 'Enter the email address you sign in with, and we will send you a code to set a new password.',
    emailHint: '',
    emailAutocomplete: 'username',
    codeLead: (email) => html`We sent a 6-digit code to ${emailLine(email)} if it has a one_auth account.`,
    passwordTitle: 'Choose a new password',
    passwordLabel: 'New password',
    passwordButton: 'Set password and sign in',
  },
};

const titled = (title: string, problems: FieldProblem[]) => (problems.length > 0 ? `Error: ${title}` : title);

/** A link back one page, GOV.UK's way, above the heading. */
const backLink = (href: string, label: string) => html`<a href="${href}" class="back-link">${label}</a>`;

/** Page one: the address. */
export function emailPage(
  page: InteractionPage,
  purpose: CodePurpose,
  { email, problems }: { email: string; problems: FieldProblem[] },
): SafeHtml {
  const words = WORDS[purpose];
  return layout(
    { title: titled(words.emailTitle, problems), mountPath: page.mountPath },
    html`${backLink(page.base, 'Back to sign in')} ${errorSummary(problems)}
      <h1>${words.emailTitle}</h1>
      <p class="lead">${words.emailLead(page)}</p>
      <form method="post" action="${page.base}/${purpose}" novalidate>
        ${csrfField(page.csrf)}
        <div class="${fieldClass(problems, 'email')}">
          <label for="email">Email address</label>
          ${words.emailHint ? html`<p class="hint" id="email-hint">${words.emailHint}</p>` : null} ${fieldError(problems, 'email')}
          <input
            class="input"
            id="email"
            name="email"
            type="email"
            value="${email}"
            autocomplete="${words.emailAutocomplete}"
            spellcheck="false"
            autocapitalize="none"
            ${fieldDescription(problems, 'email', words.emailHint ? 'email-hint' : undefined)}
            required
          />
        </div>
        <button type="submit" class="button">Continue</button>
      </form>
      ${purpose === 'sign-up' ? html`<p class="switch">Already have an account? <a href="${page.base}">Sign in</a></p>` : null}
      ${cancelForm(page)} `,
  );
}

/** Page two: the code mailed to the address. */
export function codePage(
  page: InteractionPage,
  purpose: CodePurpose,
  {
    email,
    via,
    codeMinutes,
    notice,
    problems,
  }: { email: string; via?: string; codeMinutes: number; notice?: string; problems: FieldProblem[] },
): SafeHtml {
  const words = WORDS[purpose];
  return layout(
    { title: titled('Check your email', problems), mountPath: page.mountPath },
    html`${backLink(`${page.base}/${purpose}`, 'Use another email address')} ${errorSummary(problems)}
      ${notice ? html`<div class="notice" role="status">${notice}</div>` : null}
      <h1>Check your email</h1>
      <p class="lead">${words.codeLead(email, via)}</p>
      <p>The code works for ${codeMinutes} minutes.</p>
      <form method="post" action="${page.base}/${purpose}/code" novalidate>
        ${csrfField(page.csrf)}
        <div class="${fieldClass(problems, 'code')}">
          <label for="code">Code</label>
          ${fieldError(problems, 'code')}
          <input
            class="input input-code"
            id="code"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            spellcheck="false"
            ${fieldDescription(problems, 'code')}
            autofocus
          />
        </div>
        <button type="submit" class="button">Continue</button>
      </form>
      <form method="post" action="${page.base}/${purpose}/resend" class="resend">
        ${csrfField(page.csrf)}
        <p>Not there? Look in your spam folder, or <button type="submit" class="link-button">send a new code</button>.</p>
      </form>
      ${cancelForm(page)} `,
  );
}

/** The second factor's code a reset asks of an account with two-step login (3): from the app, or a recovery code. */
function secondFactorFields(problems: FieldProblem[]): SafeHtml {
  return html`<div class="${fieldClass(problems, 'authenticator-code')}">
      <label for="authenticator-code">Code from your authenticator app</label>
      <p class="hint" id="authenticator-code-hint">Your account has two-step verification: the 6-digit code the app shows for one_auth</p>
      ${fieldError(problems, 'authenticator-code')}
      <input
        class="input input-code"
        id="authenticator-code"
        name="authenticator_code"
        type="text"
        inputmode="numeric"
        autocomplete="one-time-code"
        spellcheck="false"
        ${fieldDescription(problems, 'authenticator-code', 'authenticator-code-hint')}
      />
    </div>
    <details class="details" ${problems.some((p) => p.field === 'recovery-code') ? ' open' : ''}>
      <summary>Use a recovery code instead</summary>
      ${recoveryCodeField(problems)}
    </details>`;
}

/**
 * Page three: the password to set, and for a reset on an account with
 * two-step login its second factor. The hidden address is for password
 * managers: it names the account the new password is saved under.
 */
export function passwordPage(
  page: InteractionPage,
  purpose: CodePurpose,
  { email, twoStep, problems }: { email: string; twoStep: boolean; problems: FieldProblem[] },
): SafeHtml {
  const words = WORDS[purpose];
  return layout(
    { title: titled(words.passwordTitle, problems), mountPath: page.mountPath },
    html`${errorSummary(problems)}
      <h1>${words.passwordTitle}</h1>
      <p class="lead">for ${emailInText(email)}</p>
      <form method="post" action="${page.base}/${purpose}/password" novalidate>
        ${csrfField(page.csrf)}
        <input type="email" name="username" value="${email}" autocomplete="username" hidden readonly />
        <div class="${fieldClass(problems, 'password')}">
          <label for="password">${words.passwordLabel}</label>
          <p class="hint" id="password-hint">At least 8 characters. A few words together are easy to remember and hard to guess.</p>
          ${fieldError(problems, 'password')}
          <input
            class="input"
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            ${fieldDescription(problems, 'password', 'password-hint')}
            autofocus
            required
          />
        </div>
        ${twoStep ? secondFactorFields(problems) : null}
        <button type="submit" class="button">${words.passwordButton}</button>
      </form>
      ${cancelForm(page)} `,
  );
}
