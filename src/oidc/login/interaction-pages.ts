import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import express from 'express';
import { errors, type InteractionResults } from 'oidc-provider';
import { appConfig, type AppConfigType } from '../../config/app.config.js';
import { TooManyRequestsError } from '../../http/api-error.js';
import { clientInfoOf } from '../../http/client-info.js';
import { PASSKEY_NOT_ACCEPTED_MESSAGE } from '../../passkeys/passkey-errors.js';
import { LOGIN_EXPIRED_MESSAGE } from '../../second-factor/second-factor-messages.js';
import { SignInProvidersService } from '../../sign-in-providers/sign-in-providers.service.js';
import { ConsentMemory } from '../consents.js';
import { OidcAccounts } from '../oidc-accounts.js';
import { OidcProviderHost } from '../oidc-provider.host.js';
import { INTERACTION_TTL_S } from '../provider-configuration.js';
import { isOutage, OUTAGE_RETRY_AFTER_SECONDS } from '../provider-outage.js';
import { serveAsset } from './assets.js';
import { consentPage } from './consent-page.js';
import { InteractionCsrf } from './csrf.js';
import { InteractionApp } from './interaction-app.js';
import { InteractionLogins } from './interaction-logins.js';
import type { FieldProblem } from './layout.js';
import { LoginSteps } from './login-steps.js';
import { MailedCodeRoutes } from './mailed-code-routes.js';
import { formOf, type Interaction, type PageRoutes, seeOther, sendPage, text, tooMany } from './page-responses.js';
import { errorPage } from './provider-pages.js';
import { ProviderRoutes } from './provider-routes.js';
import { type InteractionPage, secondStepPage, signInPage } from './sign-in-pages.js';
import { AccountNotActiveError, OidcSignIns } from './sign-ins.js';

/** Interaction ids as the provider makes them (nanoid). */
const UID = /^[A-Za-z0-9_-]{1,64}$/;
const WRONG_CREDENTIALS = 'Email or password is not correct';
/** As a form body: the passkey's answer is the largest field (a few KB). */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * The login pages (49) under `<issuer>/interaction/<uid>`: server-rendered
 * forms, each POST bound to its interaction by a CSRF token, every answer a
 * page of this service (or a redirect the provider chose: back to a
 * registered redirect URI only). The interaction is the provider's, found
 * by its cookie; the uid in the path must be that interaction's.
 */
@Injectable()
export class InteractionPages {
  private readonly logger = new Logger('LoginPages');
  private readonly csrf: InteractionCsrf;
  private readonly apps: InteractionApp;
  private readonly parseForm = express.urlencoded({ extended: false, limit: MAX_FORM_BYTES, parameterLimit: 20 });
  private readonly routes: PageRoutes;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly host: OidcProviderHost,
    private readonly signIns: OidcSignIns,
    private readonly steps: LoginSteps,
    private readonly logins: InteractionLogins,
    private readonly accounts: OidcAccounts,
    private readonly consents: ConsentMemory,
    private readonly providers: SignInProvidersService,
    providerRoutes: ProviderRoutes,
    mailedCodeRoutes: MailedCodeRoutes,
  ) {
    this.csrf = new InteractionCsrf(config.secret);
    this.apps = new InteractionApp(config.secret, config.oidc.issuer.startsWith('https:'), INTERACTION_TTL_S);
    this.routes = {
      'GET ': (request, response, interaction, page) => this.show(request, response, interaction, page),
      'POST login': (request, response, interaction, page) => this.password(request, response, interaction, page),
      'POST second-step': (request, response, interaction, page) => this.secondStep(request, response, interaction, page),
      'POST passkey/options': (request, response, interaction) => this.passkeyOptions(request, response, interaction),
      'POST passkey': (request, response, interaction, page) => this.passkey(request, response, interaction, page),
      'POST consent': (request, response, interaction) => this.consent(request, response, interaction),
      'POST cancel': (request, response, interaction) => this.cancel(request, response, interaction),
      ...providerRoutes.routes,
      ...mailedCodeRoutes.routes,
    };
  }

  /** Answers `path` (relative to the issuer's path): `/assets/<name>` or `/interaction/<uid>[/<action>]`. */
  async handle(request: Request, response: Response, path: string): Promise<void> {
    const mount = this.config.oidc.mountPath;
    const asset = /^\/assets\/([a-z]+\.(?:css|js|svg))$/.exec(path);
    if (asset) {
      (request as IncomingMessage & { route?: { path: string } }).route = { path: `${mount}/assets/:name` };
      if (request.method === 'GET' || request.method === 'HEAD') {
        if (serveAsset(asset[1], response)) return;
      }
      return this.error(response, 404, 'not_found');
    }
    const match = /^\/interaction\/([^/]+)(?:\/(.+))?$/.exec(path);
    const action = match?.[2] ?? '';
    const handler = match ? this.routes[`${request.method} ${action}`] : undefined;
    (request as IncomingMessage & { route?: { path: string } }).route = {
      path: `${mount}/interaction/:uid${handler && action ? `/${action}` : ''}`,
    };
    if (!match || !handler) return this.error(response, 404, 'not_found');
    try {
      const uid = match[1];
      if (request.method === 'POST') await this.readForm(request, response);
      const interaction = await this.interactionOf(request, response, uid);
      if (!interaction) return;
      const page: InteractionPage = {
        mountPath: mount,
        base: `${mount}/interaction/${uid}`,
        csrf: this.csrf.tokenFor(uid),
        appName: await this.appName(interaction),
        providers: (await this.providers.list()).map(({ id, name }) => ({ id, name })),
      };
      if (request.method === 'POST' && !this.csrf.matches(uid, formOf(request).csrf)) {
        return this.error(response, 403, 'invalid_csrf');
      }
      if (request.method === 'GET') this.apps.remember(response, page.base, uid, String(interaction.params.client_id));
      await handler(request, response, interaction, page);
    } catch (error) {
      if (response.headersSent) return;
      if (error instanceof FormError) return this.error(response, error.status, 'invalid_form', { description: error.message });
      // The provider's own steps (the interaction, the client) say an outage as an OAuth error.
      if (isOutage(error)) {
        response.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
        return this.error(response, 503, 'temporarily_unavailable', { request });
      }
      this.logger.error(`login page failed: ${(error as Error).name}: ${(error as Error).message}`);
      this.error(response, 500, 'server_error', { request });
    }
  }

  /**
   * The interaction of this browser, which must be the one in the path.
   * Otherwise (finished, expired, or another browser's) the page says the
   * sign-in is over, naming its app when this browser's cookie says which:
   * 400, the status of the provider's own answer for an interaction it no
   * longer has (session_not_found).
   */
  private async interactionOf(request: Request, response: Response, uid: string): Promise<Interaction | null> {
    try {
      const interaction = await this.host.current.interactionDetails(request, response);
      if (UID.test(uid) && interaction.uid === uid) return interaction;
    } catch (error) {
      if (!(error instanceof errors.SessionNotFound)) throw error;
    }
    const clientId = UID.test(uid) ? this.apps.recall(request, uid) : undefined;
    const client = clientId ? await this.host.current.Client.find(clientId) : undefined;
    this.error(response, 400, 'session_not_found', { appName: client?.clientName });
    return null;
  }

  private async appName(interaction: Interaction): Promise<string> {
    const client = await this.host.current.Client.find(String(interaction.params.client_id));
    return client?.clientName ?? 'the app';
  }

  private async show(_request: Request, response: Response, interaction: Interaction, page: InteractionPage): Promise<void> {
    if (interaction.prompt.name === 'consent') return this.showConsent(response, interaction, page);
    const step = await this.steps.find(interaction.uid);
    if (step) return sendPage(response, 200, secondStepPage(page, { email: step.email, passkey: step.passkey, problems: [] }));
    const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint.slice(0, 254) : '';
    sendPage(response, 200, signInPage(page, { email: hint, problems: [] }));
  }

  private async showConsent(response: Response, interaction: Interaction, page: InteractionPage): Promise<void> {
    const account = await this.accounts.active(String(interaction.session?.accountId ?? ''));
    if (!account) return this.error(response, 400, 'session_not_found', { appName: page.appName });
    const details = interaction.prompt.details as { missingOIDCScope?: string[] };
    const requested = String(interaction.params.scope ?? '').split(' ');
    sendPage(response, 200, consentPage(page, { email: account.email, scopes: details.missingOIDCScope ?? requested }));
  }

  private async password(request: Request, response: Response, interaction: Interaction, page: InteractionPage): Promise<void> {
    const form = formOf(request);
    const email = text(form.email).trim();
    const password = text(form.password);
    if (interaction.prompt.name !== 'login') return seeOther(response, page.base);
    const problems: FieldProblem[] = [];
    if (!email) problems.push({ field: 'email', message: 'Enter your email address' });
    if (!password) problems.push({ field: 'password', message: 'Enter your password' });
    if (problems.length > 0) return sendPage(response, 400, signInPage(page, { email, problems }));
    const client = clientInfoOf(request);
    try {
      const outcome = await this.signIns.password(email, password, client, page.appName);
      if ('refused' in outcome) {
        return sendPage(response, 401, signInPage(page, { email, problems: [{ field: 'email', message: WRONG_CREDENTIALS }] }));
      }
      if ('secondStep' in outcome) return await this.logins.toSecondStep(response, interaction.uid, page.base, outcome.secondStep);
      await this.logins.finish(request, response, outcome.signedIn);
    } catch (error) {
      if (error instanceof AccountNotActiveError) {
        return sendPage(response, 401, signInPage(page, { email, problems: [{ field: 'email', message: WRONG_CREDENTIALS }] }));
      }
      if (error instanceof TooManyRequestsError) {
        return sendPage(response, 429, signInPage(page, { email, problems: [{ field: 'email', message: tooMany(response, error) }] }));
      }
      throw error;
    }
  }

  private async secondStep(request: Request, response: Response, interaction: Interaction, page: InteractionPage): Promise<void> {
    const step = await this.steps.find(interaction.uid);
    if (!step || interaction.prompt.name !== 'login') return seeOther(response, page.base);
    const form = formOf(request);
    const field = form.recovery_code !== undefined ? 'recovery-code' : 'code';
    const code = text(field === 'code' ? form.code : form.recovery_code).trim();
    const again = (status: number, message: string) =>
      sendPage(response, status, secondStepPage(page, { email: step.email, passkey: step.passkey, problems: [{ field, message }] }));
    if (!code) return again(400, field === 'code' ? 'Enter the code from your authenticator app' : 'Enter a recovery code');
    try {
      await this.logins.finish(request, response, await this.signIns.code(step, code, clientInfoOf(request), page.appName));
    } catch (error) {
      const status = error instanceof HttpException ? error.getStatus() : 0;
      if (status === 422) return again(422, field === 'code' ? 'The code is not correct' : 'The recovery code is not correct');
      if (error instanceof TooManyRequestsError) return again(429, tooMany(response, error));
      if (status === 401 || error instanceof AccountNotActiveError) return this.startOver(response, interaction, page, step.email);
      throw error;
    }
  }

  private async passkeyOptions(_request: Request, response: Response, interaction: Interaction): Promise<void> {
    try {
      const options = await this.signIns.passkeyOptions(await this.steps.find(interaction.uid));
      response.status(200).set('Cache-Control', 'no-store').json(options);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 401) {
        response.status(401).set('Cache-Control', 'no-store').json({ message: LOGIN_EXPIRED_MESSAGE });
        return;
      }
      throw error;
    }
  }

  private async passkey(request: Request, response: Response, interaction: Interaction, page: InteractionPage): Promise<void> {
    if (interaction.prompt.name !== 'login') return seeOther(response, page.base);
    const step = await this.steps.find(interaction.uid);
    const client = clientInfoOf(request);
    const refused = (status: number, message = 'Your passkey was not accepted') =>
      step
        ? sendPage(response, status, secondStepPage(page, { email: step.email, passkey: true, problems: [{ field: 'code', message }] }))
        : sendPage(response, status, signInPage(page, { email: '', problems: [{ field: 'email', message }] }));
    let answer: unknown;
    try {
      answer = JSON.parse(text(formOf(request).response));
    } catch {
      return refused(400);
    }
    try {
      const signedIn = step
        ? await this.signIns.passkeySecondStep(step, answer, client, page.appName)
        : await this.signIns.passkey(answer, client, page.appName);
      await this.logins.finish(request, response, signedIn);
    } catch (error) {
      if (error instanceof TooManyRequestsError) return refused(429, tooMany(response, error));
      const message = error instanceof HttpException ? (error.getResponse() as { message?: string }).message : undefined;
      if (message === PASSKEY_NOT_ACCEPTED_MESSAGE || error instanceof AccountNotActiveError) return refused(401);
      if (step && message === LOGIN_EXPIRED_MESSAGE) return this.startOver(response, interaction, page, step.email);
      throw error;
    }
  }

  /** Consent given or refused; a given one is remembered for this set of scopes (50 lists it). */
  private async consent(request: Request, response: Response, interaction: Interaction): Promise<void> {
    if (interaction.prompt.name !== 'consent') return seeOther(response, `${this.config.oidc.mountPath}/interaction/${interaction.uid}`);
    const provider = this.host.current;
    if (formOf(request).decision !== 'allow') {
      const refusal = { error: 'access_denied', error_description: 'The person did not allow the app' };
      return provider.interactionFinished(request, response, refusal, { mergeWithLastSubmission: false });
    }
    const accountId = String(interaction.session?.accountId);
    const clientId = String(interaction.params.client_id);
    const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    const grant =
      (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    const grantId = await grant.save();
    await this.consents.remember(accountId, clientId, grant.getOIDCScope().split(' ').filter(Boolean));
    const result: InteractionResults = { consent: interaction.grantId === grantId ? {} : { grantId } };
    await provider.interactionFinished(request, response, result, { mergeWithLastSubmission: true });
  }

  /** Back to the app without signing in: it is told the person declined. */
  private async cancel(request: Request, response: Response, interaction: Interaction): Promise<void> {
    await this.steps.forget(interaction.uid);
    const refusal = { error: 'access_denied', error_description: 'The person cancelled signing in' };
    await this.host.current.interactionFinished(request, response, refusal, { mergeWithLastSubmission: false });
  }

  /** A second step that can no longer be finished (it took too long, or the account changed): the sign-in starts again. */
  private async startOver(response: Response, interaction: Interaction, page: InteractionPage, email: string): Promise<void> {
    await this.steps.forget(interaction.uid);
    sendPage(
      response,
      401,
      signInPage(page, { email, problems: [{ field: 'email', message: 'Your sign-in took too long. Sign in again.' }] }),
    );
  }

  private async readForm(request: Request, response: Response): Promise<void> {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new FormError(415, 'This page takes forms only.');
    await new Promise<void>((resolve, reject) =>
      this.parseForm(request, response, (error?: unknown) =>
        error ? reject(new FormError(400, 'This form could not be read.')) : resolve(),
      ),
    );
  }

  private error(
    response: ServerResponse,
    status: number,
    error: string,
    { description, request, appName }: { description?: string; request?: IncomingMessage; appName?: string } = {},
  ): void {
    const requestId = (request as { requestId?: string } | undefined)?.requestId;
    sendPage(response, status, errorPage(this.config.oidc.mountPath, { error, description, requestId, appName }));
  }
}

/** A form that could not be taken (its media type, its size): answered with the error page. */
class FormError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
