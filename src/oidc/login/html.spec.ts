import { describe, expect, it } from 'vitest';
import { breakableEmail, escapeHtml, html } from './html.js';

describe('html templates', () => {
  it('escape every value put into them', () => {
    const name = `<script>alert("x")</script> & 'co'`;
    expect(html`<p title="${name}">${name}</p>`.toString()).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>',
    );
  });

  it('take markup made by html as it is, and lists of it', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    const list = html`<ul>
      ${items}
    </ul>`;
    expect(list.toString().replace(/\s+/g, '')).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
  });

  it('render nothing for null, undefined and false, and text for numbers', () => {
    expect(html`${null}${undefined}${false}${0}${'x'}`.toString()).toBe('0x');
  });

  it('leave no way to pass markup in a string', () => {
    const pretend = { markup: '<b>' } as unknown as string;
    expect(html`${pretend}`.toString()).toBe('[object Object]');
    expect(escapeHtml('"><img src=x onerror=alert(1)>')).not.toMatch(/[<>"]/);
  });

  it('let an email address wrap after "." and "@" only, escaped first', () => {
    expect(html`<b>${breakableEmail('first.last@mail.example.com')}</b>`.toString()).toBe(
      '<b>first.<wbr>last@<wbr>mail.<wbr>example.<wbr>com</b>',
    );
    expect(breakableEmail('"<a>".x@y').toString()).toBe('&quot;&lt;a&gt;&quot;.<wbr>x@<wbr>y');
  });
});
