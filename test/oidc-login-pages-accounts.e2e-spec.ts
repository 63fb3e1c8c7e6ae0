import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from './helpers/api-keys.js';
import { type BrowserSession, fieldValue, type PageResponse } from './helpers/browser-session.js';
import { waitForMail } from './helpers/mail-text.js';
import { pageKind, textOf } from './helpers/login-pages.js';
import { client, exchangeCode, type OidcTestApp, registerClient, relyingParty, startOidcTestApp } from './helpers/oidc-rp.js';
import { followLink, headingOf, openSignIn, type Step, submit } from './helpers/page-forms.js';
import { basic, createActiveUser, forgetLastCodeTime, uniqueEmail } from './helpers/test-app.js';
import { awayFromStepEdge, enableTwoStep, totpCode } from './helpers/totp.js';
import { userId } from './helpers/webhook-rows.js';

const NEW_PASSWORD = 'a quite new passphrase';
/** Kept low for this file's app, so the limit on wrong codes is reached in a few tries. */
const CODE_FAILURES = 3;

/** Every page of these flows keeps the pages' rules: lang, one stylesheet, nothing inline, each field labelled. */
function expectAPageOfOurs(page: PageResponse): void {
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  expect(page.body).toMatch(/^<!DOCTYPE html>\s*<html lang="en">/);
  expect(page.body).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
  for (const [, id] of page.body.matchAll(/<input[^>]*\sid="([^"]+)"/g))
    expect(page.body, `label for ${id}`).toContain(`<label for="${id}">`);
}

/**
 * Creating an account and resetting a forgotten password on the login
 * pages (49 with 1, 2, 3 and 9): page by page over HTTP with a cookie jar,
 * the codes read from the mail the test's SMTP server received, ending with
 * the app (openid-client) holding tokens for the account.
 */
describe('sign-up and password reset on the login pages', () => {
  let t: OidcTestApp;
  let config: client.Configuration;

  beforeAll(async () => {
    t = await startOidcTestApp({ LIMIT_CODE_FAILURES_PER_ACCOUNT: `${CODE_FAILURES}/1h` });
    config = await relyingParty(t.issuer, await registerClient(t, { client_name: 'Team wiki' }));
  });

  afterAll(async () => {
    await t?.close();
  });

  /** The sign-in page of a new authorization request, then the link to `suffix` (`/sign-up`, `/reset`). */
  async function openFromSignIn(suffix: string) {
    const start = await openSignIn(config, t.origin, { scope: 'openid email' });
    expect(pageKind(start.page)).toBe('sign-in');
    return { ...(await followLink(start.browser, t.origin, start.page, suffix)), browser: start.browser, request: start.request };
  }

  const post = (browser: BrowserSession, step: Step, suffix: string, form: Record<string, string>) =>
    submit(browser, t.origin, step.page, suffix, form);

  describe('creating an account', () => {
    it('takes an address, a mailed code and a password, then the app gets tokens for the new account', async () => {
      const email = uniqueEmail('sign-up');
      const { page, browser, request } = await openFromSignIn('/sign-up');
      expectAPageOfOurs(page);
      expect(headingOf(page)).toBe('Create an account');
      expect(page.body).toMatch(/id="email"[^>]*autocomplete="email"/s);
      expect(page.body).toContain('Team wiki');

      const codePage = await post(browser, { page }, '/sign-up', { email: `  ${email.toUpperCase()} ` });
      expect(codePage.page.url).toMatch(/\/sign-up\/code$/);
      expectAPageOfOurs(codePage.page);
      expect(textOf(codePage.page.body)).toContain(`We sent a 6-digit code to ${email}`);
      expect(codePage.page.body).toMatch(/id="code"[^>]*inputmode="numeric"[^>]*autocomplete="one-time-code"/s);
      const code = await t.smtp.waitForCode(email);

      const wrong = await post(browser, codePage, '/sign-up/code', { code: code === '000000' ? '111111' : '000000' });
      expect(wrong.page.status).toBe(422);
      expect(textOf(wrong.page.body)).toContain('Invalid code');
      expect(wrong.page.body).toContain('href="#code"');

      const passwordPage = await post(browser, wrong, '/sign-up/code', { code: ` ${code.slice(0, 3)} ${code.slice(3)} ` });
      expect(passwordPage.page.url).toMatch(/\/sign-up\/password$/);
      expectAPageOfOurs(passwordPage.page);
      expect(passwordPage.page.body).toMatch(/id="password"[^>]*autocomplete="new-password"/s);
      // The account the password manager saves it under, and never the code on any page.
      expect(passwordPage.page.body).toMatch(new RegExp(`name="username" value="${email}" autocomplete="username" hidden`));
      expect(passwordPage.page.body).not.toContain(code);

      const short = await post(browser, passwordPage, '/sign-up/password', { password: 'short' });
      expect(short.page.status).toBe(400);
      expect(textOf(short.page.body)).toContain('Password must be at least 8 characters');
      const common = await post(browser, short, '/sign-up/password', { password: 'password123' });
      expect(textOf(common.page.body)).toContain('Password is too common, please choose another');
      expect(common.page.body).toContain('href="#password"');

      const done = await post(browser, common, '/sign-up/password', { password: NEW_PASSWORD });
      expect(done.leftTo).toBeDefined();
      const tokens = await exchangeCode(config, new URL(done.leftTo!), request);
      expect(tokens.claims()!.amr).toEqual(['pwd']);
      expect((await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).email).toBe(email);
      // An account like any other: the API's login takes the password, its events say how it came to be.
      const login = await t.http.get('/one_auth/api/access_tokens').set('Authorization', basic(email, NEW_PASSWORD)).expect(200);
      const events = await t.http.get('/one_auth/api/user/events').set('Authorization', `Bearer ${login.body.access_token}`).expect(200);
      expect((events.body.events as { type: string }[]).map((event) => event.type)).toEqual(
        expect.arrayContaining(['password_set', 'oidc.sign_in']),
      );
    });

    it('answers an address an account already uses as the API does (Email already used), and mails nothing', async () => {
      const user = await createActiveUser(t);
      const { page, browser } = await openFromSignIn('/sign-up');
      const taken = await post(browser, { page }, '/sign-up', { email: user.email });
      expect(taken.page.status).toBe(422);
      expect(textOf(taken.page.body)).toContain('Email already used');
      expect(t.smtp.mailsTo(user.email)).toHaveLength(1);
      const empty = await post(browser, taken, '/sign-up', { email: '' });
      expect(empty.page.status).toBe(400);
      expect(textOf(empty.page.body)).toContain('Enter your email address');
      const malformed = await post(browser, empty, '/sign-up', { email: 'not an address' });
      expect(textOf(malformed.page.body)).toContain('Enter an email address in the correct format, like name@example.com');
      expect(malformed.page.body).toContain('value="not an address"');
    });

    it('sends a new code on request (the old one stops working), and stops taking codes past the limit on wrong ones', async () => {
      const email = uniqueEmail('resend');
      const { page, browser } = await openFromSignIn('/sign-up');
      const codePage = await post(browser, { page }, '/sign-up', { email });
      const first = await t.smtp.waitForCode(email);
      await forgetLastCodeTime(t, email);
      const resent = await post(browser, codePage, '/sign-up/resend', {});
      expect(resent.page.status).toBe(200);
      expect(textOf(resent.page.body)).toContain('We sent you a new code');
      const second = await t.smtp.waitForCode(email, 2);
      const old = await post(browser, resent, '/sign-up/code', { code: first === second ? '000000' : first });
      expect(old.page.status).toBe(422);
      let last = old;
      for (let i = 1; i < CODE_FAILURES; i++)
        last = await post(browser, last, '/sign-up/code', { code: second === '123456' ? '654321' : '123456' });
      const blocked = await post(browser, last, '/sign-up/code', { code: second });
      expect(blocked.page.status).toBe(429);
      expect(blocked.page.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(textOf(blocked.page.body)).toMatch(/Too many wrong codes\. Try again in \d+ minutes?\./);
    });

    it('sends a page that skipped a step back to the one it skipped', async () => {
      const { browser, page } = await openFromSignIn('/sign-up');
      const base = page.url.replace(/\/sign-up$/, '');
      expect((await browser.request(`${base}/sign-up/password`)).headers.get('location')).toBe(new URL(`${base}/sign-up`).pathname);
      expect((await browser.request(`${base}/sign-up/code`)).headers.get('location')).toBe(new URL(`${base}/sign-up`).pathname);
      const codePage = await post(browser, { page }, '/sign-up', { email: uniqueEmail('skip') });
      expect((await browser.request(`${base}/sign-up/password`)).headers.get('location')).toBe(new URL(`${base}/sign-up/code`).pathname);
      // A form without the interaction's CSRF token is refused, as on every page.
      const forged = await browser.request(new URL(`${base}/sign-up/code`).href, { form: { csrf: 'forged', code: '123456' } });
      expect(forged.status).toBe(403);
      expect(codePage.page.status).toBe(200);
    });
  });

  describe('resetting a forgotten password', () => {
    /**
     * From the sign-in page's "Forgot your password?" to the code page for
     * `email`, a minute after its last code (a code within the minute is kept,
     * not sent again); `code()` waits for the code this reset mailed.
     */
    async function resetFor(email: string) {
      await forgetLastCodeTime(t, email);
      const seen = t.smtp.mailsTo(email).length;
      const { page, browser, request } = await openFromSignIn('/reset');
      expectAPageOfOurs(page);
      expect(headingOf(page)).toBe('Reset your password');
      expect(page.body).toMatch(/id="email"[^>]*autocomplete="username"/s);
      const codePage = await post(browser, { page }, '/reset', { email });
      expect(codePage.page.url).toMatch(/\/reset\/code$/);
      return { codePage, browser, request, code: () => t.smtp.waitForCodeAfter(email, seen) };
    }

    it('answers alike whether or not an account holds the address, as 9 does', async () => {
      const user = await createActiveUser(t);
      const unknown = uniqueEmail('nobody');
      const known = await resetFor(user.email);
      const stranger = await resetFor(unknown);
      expect(known.codePage.page.status).toBe(stranger.codePage.page.status);
      const words = (step: Step, email: string) =>
        textOf(step.page.body).replace(email, 'EMAIL').replace(fieldValue(step.page.body, 'csrf')!, 'CSRF');
      expect(words(known.codePage, user.email)).toBe(words(stranger.codePage, unknown));
      // A code for an address without an account is as wrong as a wrong code.
      const guess = await post(stranger.browser, stranger.codePage, '/reset/code', { code: '123456' });
      expect(guess.page.status).toBe(422);
      expect(textOf(guess.page.body)).toContain('Invalid code');
      await known.code();
      expect(t.smtp.mailsTo(unknown)).toHaveLength(0);
    });

    it('sets a new password with the mailed code and signs in: the old password stops working, the owner is told', async () => {
      const user = await createActiveUser(t);
      const { codePage, browser, request, code: mailed } = await resetFor(user.email);
      expect(textOf(codePage.page.body)).toContain(`We sent a 6-digit code to ${user.email} if it has a one_auth account.`);
      const code = await mailed();
      const passwordPage = await post(browser, codePage, '/reset/code', { code });
      expect(headingOf(passwordPage.page)).toBe('Choose a new password');
      expect(passwordPage.page.body).not.toContain('authenticator-code');
      const done = await post(browser, passwordPage, '/reset/password', { password: NEW_PASSWORD });
      const tokens = await exchangeCode(config, new URL(done.leftTo!), request);
      expect(tokens.claims()!.amr).toEqual(['pwd']);
      await t.http.get('/one_auth/api/access_tokens').set('Authorization', basic(user.email, user.password)).expect(401);
      await t.http.get('/one_auth/api/access_tokens').set('Authorization', basic(user.email, NEW_PASSWORD)).expect(200);
      await waitForMail(t.smtp, user.email, /password.*reset|reset.*password/i);
      // The token the account held before is revoked, as 3 revokes it.
      await t.http.get('/one_auth/api/validations').set('Authorization', `Bearer ${user.token}`).expect(401);
    });

    it('asks an account with two-step login for its second factor as well, and never resets without it', async () => {
      const user = await enableTwoStep(t, await createActiveUser(t));
      const { codePage, browser, request, code: mailed } = await resetFor(user.email);
      const code = await mailed();
      const passwordPage = await post(browser, codePage, '/reset/code', { code });
      expect(passwordPage.page.body).toMatch(/id="authenticator-code"[^>]*autocomplete="one-time-code"/s);
      expect(passwordPage.page.body).toContain('<label for="authenticator-code">');
      const without = await post(browser, passwordPage, '/reset/password', { password: NEW_PASSWORD });
      expect(without.page.status).toBe(422);
      expect(textOf(without.page.body)).toContain('Enter the code from your authenticator app');
      const wrong = await post(browser, without, '/reset/password', { password: NEW_PASSWORD, authenticator_code: '000000' });
      expect(wrong.page.status).toBe(422);
      expect(textOf(wrong.page.body)).toContain('Invalid code');
      expect(wrong.page.body).toContain('href="#authenticator-code"');
      // Nothing was reset so far: the old password is still the right one (the login asks for its second step).
      const oldLogin = await t.http.get('/one_auth/api/access_tokens').set('Authorization', basic(user.email, user.password)).expect(401);
      expect(oldLogin.body.message).toBe('Second factor required');
      const stillOld = await t.dataSource.query('SELECT COUNT(*) AS n FROM security_events WHERE user_id = ? AND type = ?', [
        await userId(t, user.email),
        'password_reset',
      ]);
      expect(Number((stillOld as { n: number | string }[])[0].n)).toBe(0);
      await awayFromStepEdge();
      const done = await post(browser, wrong, '/reset/password', { password: NEW_PASSWORD, authenticator_code: totpCode(user.secret) });
      const tokens = await exchangeCode(config, new URL(done.leftTo!), request);
      expect(tokens.claims()!.amr).toEqual(['pwd', 'otp', 'mfa']);
    });

    it('takes a recovery code as the second factor of a reset', async () => {
      const user = await enableTwoStep(t, await createActiveUser(t));
      const { codePage, browser, request, code } = await resetFor(user.email);
      const passwordPage = await post(browser, codePage, '/reset/code', { code: await code() });
      const done = await post(browser, passwordPage, '/reset/password', { password: NEW_PASSWORD, recovery_code: user.recoveryCodes[0] });
      expect((await exchangeCode(config, new URL(done.leftTo!), request)).claims()!.amr).toEqual(['pwd', 'otp', 'mfa']);
    });

    it('mails a disabled account nothing, and asks for the code again when it stopped working meanwhile', async () => {
      const disabled = await createActiveUser(t);
      const { key } = await createKey(t.app, 'users:write');
      await t.http
        .put(`/one_auth/admin/api/users/${await userId(t, disabled.email)}/status`)
        .set('Authorization', `Bearer ${key}`)
        .send({ status: 'disabled' })
        .expect(200);
      const refused = await resetFor(disabled.email);
      expect(refused.codePage.page.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(t.smtp.mailsTo(disabled.email)).toHaveLength(1);

      const user = await createActiveUser(t);
      const { codePage, browser, code: mailed } = await resetFor(user.email);
      const code = await mailed();
      const passwordPage = await post(browser, codePage, '/reset/code', { code });
      // The code is used elsewhere (the API's 3) before the page's password is sent.
      await t.http
        .put('/one_auth/api/user')
        .send({ email: user.email, validation_code: code, password: 'another passphrase here' })
        .expect(200);
      const stale = await post(browser, passwordPage, '/reset/password', { password: NEW_PASSWORD });
      expect(stale.page.status).toBe(422);
      expect(stale.page.url).toMatch(/\/reset\/password$/);
      expect(headingOf(stale.page)).toBe('Check your email');
      expect(textOf(stale.page.body)).toContain('Invalid code');
    });
  });
});
