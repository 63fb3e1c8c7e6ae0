/**
 * The login pages' templates: tagged template literals with one escaping
 * function. Every value put into `html\`…\`` is escaped, unless it is itself
 * the result of `html` (built from escaped parts) or a list of such results.
 * The only other markup made here is `breakableEmail`'s, which escapes the
 * address first; there is no way to mark text safe, so nothing reaches a
 * page unescaped by mistake.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** Markup built by `html` only. */
export class SafeHtml {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

/** What a template may take: text (escaped), markup from `html`, lists of either, or nothing (renders empty). */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0];
  values.forEach((value, i) => {
    markup += render(value) + strings[i + 1];
  });
  return new SafeHtml(markup);
}

/**
 * An email address that may wrap after each "." and "@", and nowhere else
 * while a part fits the line: escaped first, then a `<wbr>` put after those
 * characters (no escape sequence contains either).
 */
export function breakableEmail(address: string): SafeHtml {
  return new SafeHtml(escapeHtml(address).replace(/[.@]/g, '$&<wbr>'));
}
