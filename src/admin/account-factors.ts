import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** An account's second factors, as operators see them (never a secret). */
export interface FactorSummary {
  /** Logins need a second step: a confirmed authenticator app. */
  two_step: boolean;
  /** A confirmed authenticator app (TOTP) with its recovery codes. */
  totp: boolean;
  passkeys: number;
}

const NONE: FactorSummary = Object.freeze({ two_step: false, totp: false, passkeys: 0 });

/**
 * The seam between the admin API and the modules that own second factors:
 * what the account list and detail show (`two_step`, `passkeys`, `factors`)
 * and what removing the second factor (36) erases. The second-factor module
 * (TOTP and recovery codes) and the passkeys module fill it in: `describe`
 * from their own services, `removeSecondFactor` with the second-factor
 * module's removal inside the operator's transaction (passkeys are kept).
 * Until then an account has no second factor: nothing to show, nothing to
 * remove; the rest of 36 (every session signed out, the notice) happens
 * in the admin service all the same.
 */
@Injectable()
export class AccountFactors {
  /** One account's factors. */
  describe(_userId: number): Promise<FactorSummary> {
    return Promise.resolve({ ...NONE });
  }

  /** Several accounts' at once (a page of the list): one query per owner, not one per account. */
  describeMany(userIds: number[]): Promise<Map<number, FactorSummary>> {
    return Promise.resolve(new Map(userIds.map((id) => [id, { ...NONE }])));
  }

  /** Removes TOTP and recovery codes inside the caller's transaction; answers whether there was one to remove. */
  removeSecondFactor(_tx: EntityManager, _userId: number): Promise<boolean> {
    return Promise.resolve(false);
  }
}
