import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { InteractionResults } from 'oidc-provider';
import { OidcProviderHost } from '../oidc-provider.host.js';
import { type LoginStep, LoginSteps } from './login-steps.js';
import { seeOther } from './page-responses.js';
import type { SignedIn } from './sign-ins.js';

/**
 * How every way of signing in on the login pages ends (a password, a
 * passkey, another provider, a new account, a reset password): the
 * sign-in handed to the provider, or the second step still to come.
 */
@Injectable()
export class InteractionLogins {
  constructor(
    private readonly host: OidcProviderHost,
    private readonly steps: LoginSteps,
  ) {}

  /** A finished sign-in: the provider records it in its session and goes on (consent, or back to the app). */
  async finish(request: Request, response: Response, { accountId, amr }: SignedIn): Promise<void> {
    const uid = (await this.host.current.interactionDetails(request, response)).uid;
    await this.steps.forget(uid);
    // No method to name (another provider's sign-in alone): no amr claim rather than an empty one.
    const result: InteractionResults = { login: { accountId, amr: amr.length > 0 ? amr : undefined, remember: true } };
    await this.host.current.interactionFinished(request, response, result, { mergeWithLastSubmission: false });
  }

  /** A first step passed on an account with two-step login: the interaction's page now asks for the second. */
  async toSecondStep(response: Response, uid: string, base: string, step: LoginStep): Promise<void> {
    await this.steps.save(uid, step);
    seeOther(response, base);
  }
}
