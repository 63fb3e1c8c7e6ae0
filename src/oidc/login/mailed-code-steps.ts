import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../../config/app.config.js';
import { OidcStore } from '../oidc-store.js';

/** The store's model for a sign-up or a password reset under way on the login pages. */
export const MAILED_CODE_STEP_MODEL = 'MailedCodeStep';

/** What the pages do with a mailed code: make a new account, or reset a forgotten password. */
export type CodePurpose = 'sign-up' | 'reset';

/** A sign-up or reset under way: the address a code went to and, once it was checked right, the code. */
export interface MailedCodeStep {
  purpose: CodePurpose;
  email: string;
  /** The mailed code, checked right (as 2 checks one, using nothing up): what setting the password uses up. */
  code?: string;
  /** The provider whose sign-in found an address it could not vouch for, and had a code mailed to it. */
  via?: string;
  expiresAt: number;
}

/**
 * Sign-ups and password resets of the login pages between their pages
 * (address, code, password), kept with the provider's records (sealed, in
 * the database: the next page may be answered by another instance), under
 * the interaction, for as long as a mailed code lives. A code checked right
 * is kept here rather than asked for again with the password, so a page
 * never has to show it back, and the password is never kept anywhere.
 */
@Injectable()
export class MailedCodeSteps {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly store: OidcStore,
  ) {}

  async start(uid: string, step: Omit<MailedCodeStep, 'expiresAt'>): Promise<void> {
    await this.save(uid, { ...step, expiresAt: Date.now() + this.config.codeTtlMs });
  }

  /** The code is right: kept for the password page, as long as the step lives. */
  async codeChecked(uid: string, step: MailedCodeStep, code: string): Promise<void> {
    await this.save(uid, { ...step, code });
  }

  /** The interaction's step for this purpose, unless it is too old. */
  async find(uid: string, purpose: CodePurpose): Promise<MailedCodeStep | null> {
    const found = await this.store.find(MAILED_CODE_STEP_MODEL, uid);
    const step = found?.payload as unknown as MailedCodeStep | undefined;
    return step && step.purpose === purpose && step.expiresAt > Date.now() ? step : null;
  }

  async forget(uid: string): Promise<void> {
    await this.store.destroy(MAILED_CODE_STEP_MODEL, uid);
  }

  private async save(uid: string, step: MailedCodeStep): Promise<void> {
    await this.store.upsert(MAILED_CODE_STEP_MODEL, uid, { ...step }, Math.max(1, Math.ceil((step.expiresAt - Date.now()) / 1000)));
  }
}
