import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { appConfig, type AppConfigType } from '../../config/app.config.js';
import { TooManyRequestsError } from '../../http/api-error.js';
import { clientInfoOf } from '../../http/client-info.js';
import type { SignInError } from '../../social-sign-in/sign-in-outcome.js';
import { SocialSignInService } from '../../social-sign-in/social-sign-in.service.js';
import { InteractionLogins } from './interaction-logins.js';
import { MailedCodeSteps } from './mailed-code-steps.js';
import { formOf, type Interaction, type PageRoutes, seeOther, sendPage, text, tooMany } from './page-responses.js';
import { ProviderReturns } from './provider-returns.js';
import { type InteractionPage, signInPage } from './sign-in-pages.js';
import { AccountNotActiveError, OidcSignIns } from './sign-ins.js';

/** What the sign-in page says when a sign-in with another provider came back without one, by the callback's error (53). */
function problemOf(error: SignInError, provider: string): { status: number; message: string } {
  switch (error) {
    case 'access_denied':
      return { status: 401, message: `Signing in with ${provider} was cancelled.` };
    case 'account_disabled':
      return { status: 401, message: 'Your one_auth account is disabled, so you cannot sign in with it.' };
    case 'link_required':
      return {
        status: 401,
        message:
          `There is already a one_auth account with the email address of your ${provider} account. ` +
          `Sign in with your password or a passkey instead; once signed in, you can link ${provider} to it.`,
      };
    case 'email_required':
      return {
        status: 401,
        message: `${provider} did not share an email address with us. Sign in another way, or create an account with your email address.`,
      };
    case 'too_many_attempts':
      return { status: 429, message: 'Too many failed attempts. Try again later.' };
    case 'server_error':
      return { status: 503, message: `${provider} could not be reached. Try again in a moment, or sign in another way.` };
    default:
      return { status: 401, message: `${provider} could not confirm who you are. Try again, or sign in another way.` };
  }
}

const TOOK_TOO_LONG = 'Your sign-in with another provider took too long or was already used. Try again.';

/**
 * "Continue with …" on the sign-in page (49, 51–53): the same flow as the
 * API's, started by the social sign-in module with the same linking rules,
 * limits and checks, and coming back to the interaction: its answer kept in
 * the database (ProviderReturns), the login code used up as 54 uses one,
 * then the second step on an account with two-step login, or the sign-in
 * finished. A refusal is said on the sign-in page; a provider that could
 * not vouch for a new address leads to the sign-up's code page.
 */
@Injectable()
export class ProviderRoutes {
  readonly routes: PageRoutes = {
    'POST provider': (request, response, interaction, page) => this.start(request, response, interaction, page),
    'GET provider/return': (request, response, interaction, page) => this.return(request, response, interaction, page),
  };

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly social: SocialSignInService,
    private readonly returns: ProviderReturns,
    private readonly signIns: OidcSignIns,
    private readonly logins: InteractionLogins,
    private readonly codeSteps: MailedCodeSteps,
  ) {}

  private async start(request: Request, response: Response, interaction: Interaction, page: InteractionPage): Promise<void> {
    if (interaction.prompt.name !== 'login') return seeOther(response, page.base);
    const providerId = text(formOf(request).provider);
    const name = page.providers.find((provider) => provider.id === providerId)?.name ?? 'That provider';
    try {
      const returnTo = `${this.config.oidc.issuer}/interaction/${interaction.uid}`;
      seeOther(response, await this.social.startForLoginPage(providerId, interaction.uid, returnTo));
    } catch (error) {
      const status = error instanceof HttpException ? error.getStatus() : 0;
      if (status === 404) return this.refused(response, page, 404, 'That way of signing in is no longer offered. Choose another.');
      if (status === 503) return this.refused(response, page, 503, `${name} cannot be reached just now. Try again in a moment.`);
      throw error;
    }
  }

  /** Where the callback sends the browser: the answer taken with its ticket, and the sign-in goes on or says why not. */
  private async return(request: Request, response: Response, interaction: Interaction, page: InteractionPage): Promise<void> {
    const ticket = new URL(request.originalUrl ?? request.url, 'http://pages.invalid').searchParams.get('ticket') ?? '';
    const answer = await this.returns.take(interaction.uid, ticket);
    if (interaction.prompt.name !== 'login') return seeOther(response, page.base);
    if (!answer) return this.refused(response, page, 400, TOOK_TOO_LONG);
    const { outcome, provider } = answer;
    if (outcome.kind === 'refused') {
      if (outcome.error === 'verification_required' && outcome.email) {
        await this.codeSteps.start(interaction.uid, { purpose: 'sign-up', email: outcome.email, via: provider.name });
        return seeOther(response, `${page.base}/sign-up/code`);
      }
      const { status, message } = problemOf(outcome.error, provider.name);
      return this.refused(response, page, status, message);
    }
    if (outcome.kind !== 'signed_in') return this.refused(response, page, 400, TOOK_TOO_LONG);
    try {
      const signedIn = await this.signIns.provider(outcome.loginCode, clientInfoOf(request), page.appName);
      if ('secondStep' in signedIn) return await this.logins.toSecondStep(response, interaction.uid, page.base, signedIn.secondStep);
      await this.logins.finish(request, response, signedIn.signedIn);
    } catch (error) {
      if (error instanceof TooManyRequestsError) return this.refused(response, page, 429, tooMany(response, error));
      if (error instanceof AccountNotActiveError)
        return this.refused(response, page, 401, problemOf('account_disabled', provider.name).message);
      // The login code outlived its minute, or was used: Login expired.
      if (error instanceof HttpException && error.getStatus() === 401) return this.refused(response, page, 401, TOOK_TOO_LONG);
      throw error;
    }
  }

  /** The sign-in page with the problem at the provider buttons (at the address when an operator removed the last of them). */
  private refused(response: Response, page: InteractionPage, status: number, message: string): void {
    const field = page.providers.length > 0 ? 'providers' : 'email';
    sendPage(response, status, signInPage(page, { email: '', problems: [{ field, message }] }));
  }
}
