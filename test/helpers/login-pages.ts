import { type BrowserSession, fieldValue, formAction, type PageResponse } from './browser-session.js';

/** What a person answers on the login pages, page by page. */
export interface PageAnswers {
  email: string;
  password: string;
  /** The second step's code (TOTP or recovery code), asked for when the page shows. */
  code?: () => string | Promise<string>;
  /** On a consent page; absent: the test did not expect one (an error). */
  consent?: 'allow' | 'deny';
}

/** Where a walk through the pages ended: the app's redirect URI it was sent to, and the pages on the way. */
export interface PageWalk {
  /** The redirect URI with its query (code and state, or error). */
  callback: URL;
  /** Which pages were shown: 'sign-in', 'second-step', 'consent'. */
  shown: string[];
}

/** Which of the login pages this is, by the form it shows. */
export function pageKind(page: PageResponse): 'sign-in' | 'second-step' | 'consent' | 'other' {
  if (formAction(page.body, '/login')) return 'sign-in';
  if (formAction(page.body, '/second-step')) return 'second-step';
  if (formAction(page.body, '/consent')) return 'consent';
  return 'other';
}

/**
 * Opens an authorization URL in `browser` and answers the login pages as
 * a person would, form by form with each page's CSRF token, until the
 * provider sends the browser back to the app.
 */
export async function walkLoginPages(browser: BrowserSession, authorizationUrl: string, answers: PageAnswers): Promise<PageWalk> {
  const origin = new URL(authorizationUrl).origin;
  const shown: string[] = [];
  let step = await browser.follow(authorizationUrl, origin);
  for (let pages = 0; pages < 8; pages++) {
    if (step.leftTo) return { callback: new URL(step.leftTo), shown };
    const { page } = step;
    const kind = pageKind(page);
    shown.push(kind);
    const csrf = fieldValue(page.body, 'csrf') ?? '';
    const post = (suffix: string, form: Record<string, string>) =>
      browser.follow(new URL(formAction(page.body, suffix)!, page.url).href, origin, { form: { csrf, ...form } });
    if (kind === 'sign-in') step = await post('/login', { email: answers.email, password: answers.password });
    else if (kind === 'second-step' && answers.code) step = await post('/second-step', { code: await answers.code() });
    else if (kind === 'consent' && answers.consent) step = await post('/consent', { decision: answers.consent });
    else throw new Error(`unexpected page (${page.status} ${kind}) at ${page.url}: ${textOf(page.body).slice(0, 300)}`);
    if (step.page.status >= 400 && !step.leftTo) {
      throw new Error(`the ${kind} page answered ${step.page.status}: ${textOf(step.page.body).slice(0, 300)}`);
    }
  }
  throw new Error('too many pages');
}

/** A page's text, for messages and assertions: tags dropped (a line-break opportunity, <wbr>, without a space), whitespace folded. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<wbr\s*\/?>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
