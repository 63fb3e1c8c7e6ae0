import { breakableEmail, html, type HtmlValue, type SafeHtml } from './html.js';

/**
 * The headers of every page the provider shows a person. The policy allows
 * the service's own stylesheet and scripts and nothing inline; it names no
 * `form-action`, because a sign-in form's answer redirects on to the app's
 * registered redirect URI, and browsers hold that redirect to `form-action`.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

/** Where the pages' stylesheet and scripts are served, under the issuer's path. */
export const assetsPath = (mountPath: string) => `${mountPath}/assets`;

export interface PageOptions {
  title: string;
  mountPath: string;
  /** Scripts of this service (passkeys only), loaded deferred. */
  scripts?: string[];
}

/** One page: a card with the service's name on top, the page's content in it. */
export function layout({ title, mountPath, scripts = [] }: PageOptions, content: HtmlValue): SafeHtml {
  const assets = assetsPath(mountPath);
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} – one_auth</title>
        <link rel="icon" href="${assets}/icon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="${assets}/login.css" />
        ${scripts.map((name) => html`<script src="${assets}/${name}" defer></script> `)}
      </head>
      <body>
        <main class="page">
          <div class="card">
            <p class="brand"><span class="brand-mark" aria-hidden="true"></span>one_auth</p>
            ${content}
          </div>
        </main>
      </body>
    </html> `;
}

/** One problem with the form, for the summary on top and the field it is about. */
export interface FieldProblem {
  /** The id of the field it is about. */
  field: string;
  message: string;
}

/** The GOV.UK-style summary on top of a form that came back: each problem links to its field. */
export function errorSummary(problems: FieldProblem[]): HtmlValue {
  if (problems.length === 0) return null;
  return html`<div class="error-summary" role="alert" tabindex="-1" autofocus>
    <h2 class="error-summary-title">There is a problem</h2>
    <ul>
      ${problems.map((problem) => html`<li><a href="#${problem.field}">${problem.message}</a></li>`)}
    </ul>
  </div> `;
}

/** Whether a field came back with a problem. */
const hasProblem = (problems: FieldProblem[], field: string) => problems.some((problem) => problem.field === field);

/** The class of a field's group: marked with the red bar when it has a problem. */
export const fieldClass = (problems: FieldProblem[], field: string) => (hasProblem(problems, field) ? 'field field-invalid' : 'field');

/** The message shown above a field that has a problem. */
export function fieldError(problems: FieldProblem[], field: string): HtmlValue {
  const problem = problems.find((candidate) => candidate.field === field);
  return problem
    ? html`<p class="field-error" id="${field}-error"><span class="visually-hidden">Error:</span> ${problem.message}</p>`
    : null;
}

/**
 * A field's ARIA attributes, as GOV.UK sets them: `aria-describedby` names
 * its hint and its error message (read out with the label), and
 * `aria-invalid` marks it while it has a problem.
 */
export function fieldDescription(problems: FieldProblem[], field: string, hintId?: string): HtmlValue {
  const invalid = hasProblem(problems, field);
  const describedBy = [hintId, invalid ? `${field}-error` : undefined].filter(Boolean).join(' ');
  return html`${describedBy ? html`aria-describedby="${describedBy}"` : null} ${invalid ? html`aria-invalid="true"` : null}`;
}

/** An email address on a line of its own, after the words that lead to it; wrapping after "." and "@" when longer than the line. */
export const emailLine = (email: string): SafeHtml => html`<strong class="email">${breakableEmail(email)}</strong>`;

/** An email address within a line (after a word or two), wrapping as `emailLine` does. */
export const emailInText = (email: string): SafeHtml => html`<strong>${breakableEmail(email)}</strong>`;

/** The hidden field that binds a form to its interaction. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}" />`;
}
