import { HttpException, Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { isEmail } from 'class-validator';
import type { Request, Response } from 'express';
import { appConfig, type AppConfigType } from '../../config/app.config.js';
import { InvalidFieldsError, TooManyRequestsError } from '../../http/api-error.js';
import { clientAddressOf } from '../../http/client-address.js';
import { clientInfoOf } from '../../http/client-info.js';
import { EMAIL_FORMAT } from '../../http/request-fields.js';
import { RegistrationService } from '../../registration/registration.service.js';
import { TOO_MANY_WRONG_CODES_MESSAGE } from '../../rate-limit/limit-messages.js';
import { SECOND_FACTOR_REQUIRED_MESSAGE } from '../../second-factor/second-factor-messages.js';
import { InvalidSecondFactorCode } from '../../second-factor/second-factor-policy.service.js';
import { SecondFactorStore } from '../../second-factor/second-factor-store.service.js';
import { MAX_EMAIL_LENGTH, normalizeEmail } from '../../users/email.js';
import { UsersService } from '../../users/users.service.js';
import type { FieldProblem } from './layout.js';
import { InteractionLogins } from './interaction-logins.js';
import { codePage, emailPage, passwordPage } from './mailed-code-pages.js';
import { type CodePurpose, type MailedCodeStep, MailedCodeSteps } from './mailed-code-steps.js';
import { formOf, type Interaction, type PageHandler, type PageRoutes, seeOther, sendPage, text, tooMany } from './page-responses.js';
import type { InteractionPage } from './sign-in-pages.js';
import { AccountNotActiveError, OidcSignIns, SecondStepNeeded } from './sign-ins.js';

const PURPOSES: CodePurpose[] = ['sign-up', 'reset'];
const ENTER_SECOND_FACTOR = 'Enter the code from your authenticator app';
const NEW_CODE_NOTICE = 'We sent you a new code. Codes go out at most once a minute, so the last one may still be on its way.';

/** The policy's reason, as the start of a sentence on the page ("password must be …" → "Password must be …"). */
const asSentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

/**
 * Creating an account and resetting a forgotten password on the login
 * pages (49), through the registration's own code paths and limits: the
 * address (1 mails a code to a new or never activated account, and answers
 * `Email already used` for an active one, as the API does; a reset answers
 * as 9, the same whether or not an account exists), the code (checked as 2
 * checks it, failures counted), then the password set as 3 sets it, with
 * the second factor's code on an account with two-step login. The account
 * is then signed in and the interaction goes on to the app.
 */
@Injectable()
export class MailedCodeRoutes {
  readonly routes: PageRoutes;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly registration: RegistrationService,
    private readonly steps: MailedCodeSteps,
    private readonly users: UsersService,
    private readonly factors: SecondFactorStore,
    private readonly signIns: OidcSignIns,
    private readonly logins: InteractionLogins,
  ) {
    this.routes = Object.fromEntries(
      PURPOSES.flatMap((purpose) =>
        (
          [
            ['GET', '', this.showEmail],
            ['POST', '', this.submitEmail],
            ['GET', '/code', this.showCode],
            ['POST', '/code', this.submitCode],
            ['POST', '/resend', this.resend],
            ['GET', '/password', this.showPassword],
            ['POST', '/password', this.submitPassword],
          ] as const
        ).map(([method, suffix, handler]): [string, PageHandler] => [
          `${method} ${purpose}${suffix}`,
          (request, response, interaction, page) =>
            // Once signed in (a consent to give), these pages have nothing to ask.
            interaction.prompt.name === 'login'
              ? handler.call(this, { request, response, interaction, page, purpose })
              : Promise.resolve(seeOther(response, page.base)),
        ]),
      ),
    );
  }

  private async showEmail({ response, interaction, page, purpose }: Visit): Promise<void> {
    const step = await this.steps.find(interaction.uid, purpose);
    const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint.slice(0, MAX_EMAIL_LENGTH) : '';
    sendPage(response, 200, emailPage(page, purpose, { email: step?.email ?? hint, problems: [] }));
  }

  private async submitEmail({ request, response, interaction, page, purpose }: Visit): Promise<void> {
    const given = text(formOf(request).email);
    const email = normalizeEmail(given);
    const again = (status: number, message: string) =>
      sendPage(response, status, emailPage(page, purpose, { email: given.trim(), problems: [{ field: 'email', message }] }));
    if (!email) return again(400, 'Enter your email address');
    if (email.length > MAX_EMAIL_LENGTH || !isEmail(email, EMAIL_FORMAT)) {
      return again(400, 'Enter an email address in the correct format, like name@example.com');
    }
    try {
      await this.mailCode(request, purpose, email);
    } catch (error) {
      if (error instanceof TooManyRequestsError) return again(429, tooMany(response, error, 'Too many codes were asked for'));
      // `Email already used`: an active (or disabled) account holds the address, as 1 answers.
      if (error instanceof UnprocessableEntityException) return again(422, messageOf(error));
      throw error;
    }
    await this.steps.start(interaction.uid, { purpose, email });
    seeOther(response, `${page.base}/${purpose}/code`);
  }

  private async showCode({ response, interaction, page, purpose }: Visit): Promise<void> {
    const step = await this.steps.find(interaction.uid, purpose);
    if (!step) return seeOther(response, `${page.base}/${purpose}`);
    sendPage(response, 200, this.codePageOf(page, step, []));
  }

  private async submitCode({ request, response, interaction, page, purpose }: Visit): Promise<void> {
    const step = await this.steps.find(interaction.uid, purpose);
    if (!step) return seeOther(response, `${page.base}/${purpose}`);
    const code = text(formOf(request).code).replace(/\s+/g, '');
    const again = (status: number, message: string) =>
      sendPage(response, status, this.codePageOf(page, step, [{ field: 'code', message }]));
    if (!code) return again(400, 'Enter the code from the email');
    if (code.length > 64) return again(422, 'Invalid code');
    try {
      await this.registration.checkCode(step.email, code);
    } catch (error) {
      if (error instanceof TooManyRequestsError) return again(429, tooMany(response, error, 'Too many wrong codes'));
      if (error instanceof UnprocessableEntityException) return again(422, messageOf(error));
      throw error;
    }
    await this.steps.codeChecked(interaction.uid, step, code);
    seeOther(response, `${page.base}/${purpose}/password`);
  }

  /** Another code, through the same path and limits as the first. */
  private async resend({ request, response, interaction, page, purpose }: Visit): Promise<void> {
    const step = await this.steps.find(interaction.uid, purpose);
    if (!step) return seeOther(response, `${page.base}/${purpose}`);
    const fresh: MailedCodeStep = { ...step, code: undefined, via: undefined };
    try {
      await this.mailCode(request, purpose, step.email);
    } catch (error) {
      if (error instanceof TooManyRequestsError) {
        return sendPage(
          response,
          429,
          this.codePageOf(page, step, [{ field: 'code', message: tooMany(response, error, 'Too many codes were asked for') }]),
        );
      }
      if (error instanceof UnprocessableEntityException) {
        return sendPage(
          response,
          422,
          emailPage(page, purpose, { email: step.email, problems: [{ field: 'email', message: messageOf(error) }] }),
        );
      }
      throw error;
    }
    await this.steps.start(interaction.uid, fresh);
    sendPage(response, 200, this.codePageOf(page, fresh, [], NEW_CODE_NOTICE));
  }

  private async showPassword({ response, interaction, page, purpose }: Visit): Promise<void> {
    const step = await this.steps.find(interaction.uid, purpose);
    if (!step?.code) return seeOther(response, `${page.base}/${purpose}${step ? '/code' : ''}`);
    sendPage(response, 200, passwordPage(page, purpose, { email: step.email, twoStep: await this.hasTwoStep(step.email), problems: [] }));
  }

  private async submitPassword({ request, response, interaction, page, purpose }: Visit): Promise<void> {
    const step = await this.steps.find(interaction.uid, purpose);
    if (!step?.code) return seeOther(response, `${page.base}/${purpose}${step ? '/code' : ''}`);
    const form = formOf(request);
    const password = text(form.password);
    const authenticatorCode = text(form.authenticator_code).replace(/\s+/g, '');
    const recoveryCode = text(form.recovery_code).trim();
    const factorField = !authenticatorCode && recoveryCode ? 'recovery-code' : 'authenticator-code';
    const again = (status: number, problems: FieldProblem[], twoStep?: boolean) =>
      this.hasTwoStep(step.email).then((found) =>
        sendPage(response, status, passwordPage(page, purpose, { email: step.email, twoStep: twoStep ?? found, problems })),
      );
    if (!password) return again(400, [{ field: 'password', message: 'Enter a password' }]);
    const client = clientInfoOf(request);
    let secondFactor = false;
    try {
      const { account } = await this.registration.setPasswordThen(
        { email: step.email, validation_code: step.code, password, code: authenticatorCode || recoveryCode || undefined },
        client,
        async (tx, account, done) => {
          secondFactor = done.secondFactor;
          await this.signIns.record(tx, account, client, page.appName, done.secondFactor);
        },
      );
      const signedIn = await this.signIns.newPasswordSignIn(account, secondFactor);
      await this.steps.forget(interaction.uid);
      await this.logins.finish(request, response, signedIn);
    } catch (error) {
      if (error instanceof InvalidFieldsError) return again(400, [{ field: 'password', message: asSentence(messageOf(error)) }]);
      if (error instanceof InvalidSecondFactorCode) return again(422, [{ field: factorField, message: messageOf(error) }], true);
      if (error instanceof SecondStepNeeded || (error instanceof HttpException && messageOf(error) === SECOND_FACTOR_REQUIRED_MESSAGE)) {
        return again(422, [{ field: 'authenticator-code', message: ENTER_SECOND_FACTOR }], true);
      }
      if (error instanceof TooManyRequestsError) {
        const wrongCodes = messageOf(error) === TOO_MANY_WRONG_CODES_MESSAGE;
        return again(429, [{ field: wrongCodes ? 'password' : factorField, message: tooMany(response, error) }]);
      }
      // The mailed code no longer works (used, expired, the account disabled or gone meanwhile): ask for it again.
      if (error instanceof UnprocessableEntityException || error instanceof AccountNotActiveError) {
        const withoutCode: MailedCodeStep = { ...step, code: undefined };
        await this.steps.start(interaction.uid, withoutCode);
        return sendPage(response, 422, this.codePageOf(page, withoutCode, [{ field: 'code', message: 'Invalid code' }]));
      }
      throw error;
    }
  }

  /** A code for the address: as 1 mails one for a sign-up, as 9 for a reset (answered at once, whatever the address). */
  private async mailCode(request: Request, purpose: CodePurpose, email: string): Promise<void> {
    const address = clientAddressOf(request);
    if (purpose === 'sign-up') await this.registration.register(email, address);
    else this.registration.requestCode(email, address);
  }

  /** Whether the account of the address has two-step login: asked only once its mailed code proved the mailbox, as 3 asks. */
  private async hasTwoStep(email: string): Promise<boolean> {
    const account = await this.users.findByEmail(email);
    return account !== null && (await this.factors.hasTwoStepLogin(account.id));
  }

  private codePageOf(page: InteractionPage, step: MailedCodeStep, problems: FieldProblem[], notice?: string) {
    const codeMinutes = Math.round(this.config.codeTtlMs / 60_000);
    return codePage(page, step.purpose, { email: step.email, via: step.via, codeMinutes, notice, problems });
  }
}

/** One visit of a sign-up or reset page. */
interface Visit {
  request: Request;
  response: Response;
  interaction: Interaction;
  page: InteractionPage;
  purpose: CodePurpose;
}

const messageOf = (error: HttpException): string => String((error.getResponse() as { message?: unknown }).message ?? error.message);
