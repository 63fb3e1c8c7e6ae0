import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuthService } from '../auth/auth.service.js';
import { INVALID_CODE_MESSAGE } from '../codes/validation-code.js';
import type { ClientInfo } from '../http/client-info.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { SECOND_FACTOR_REQUIRED_MESSAGE } from './second-factor-messages.js';
import { type CodeHolder, type SecondFactorProof, SecondFactorStore } from './second-factor-store.service.js';

/**
 * 422 `Invalid code` for the second factor's code: answered as any wrong
 * code, and told apart by a caller whose request holds another code too
 * (a reset's mailed code), to say which one was wrong.
 */
export class InvalidSecondFactorCode extends UnprocessableEntityException {
  constructor() {
    super(INVALID_CODE_MESSAGE);
  }
}

const invalidCode = () => new InvalidSecondFactorCode();

/**
 * "This operation needs a code": what the operations that take the password
 * again (changing it (17) or the email (18), deleting the account (20),
 * turning two-step login off (26), new recovery codes (27), adding a
 * passkey (28)) and a reset with a mailed code (3) ask of an account with
 * two-step login. A code is checked under the login limits, so wrong codes
 * and wrong passwords share one allowance, and a wrong one is recorded for
 * the owner to see; a right one is used up in the transaction of the change
 * it allows, so one code allows one change.
 */
@Injectable()
export class SecondFactorPolicy {
  constructor(
    private readonly store: SecondFactorStore,
    private readonly auth: AuthService,
    private readonly events: SecurityEvents,
  ) {}

  /**
   * On an account with two-step login, `code` must be right too: the proof
   * to use up in the operation's transaction. Null when the account has no
   * two-step login. A missing or wrong code is 422 `Invalid code`.
   */
  async requireCode(account: CodeHolder, code: string | undefined, client: ClientInfo): Promise<SecondFactorProof | null> {
    if (!(await this.store.hasTwoStepLogin(account.id))) return null;
    return this.checkCode(account, code, client);
  }

  /**
   * For a password reset with a mailed code (3): the mailbox alone never
   * passes the second factor. Null when the account has no two-step login;
   * without a code, 422 `Second factor required`; a wrong one as requireCode.
   */
  async requireCodeForReset(account: CodeHolder, code: string | undefined, client: ClientInfo): Promise<SecondFactorProof | null> {
    if (!(await this.store.hasTwoStepLogin(account.id))) return null;
    if (code === undefined) throw new UnprocessableEntityException(SECOND_FACTOR_REQUIRED_MESSAGE);
    return this.checkCode(account, code, client);
  }

  /** The proof of a code on an account known to have two-step login, or 422 `Invalid code`. */
  async checkCode(account: CodeHolder, code: string | undefined, client: ClientInfo): Promise<SecondFactorProof> {
    if (code === undefined || code === '') throw invalidCode();
    const proof = await this.auth.underLoginLimits(account.email, client, () => this.store.check(account.id, code));
    if (!proof) {
      this.events.recordLater(account.id, SecurityEventType.SecondFactorFailed, client);
      throw invalidCode();
    }
    return proof;
  }

  /**
   * Uses up the proof that allowed a change, inside the change's
   * transaction (nothing to do without one). When a concurrent request used
   * the same code first, 422 `Invalid code`, which rolls the change back.
   * `notify: false` when the change sends a notice of its own, so a recovery
   * code used for it is not told twice.
   */
  async useUp(tx: EntityManager, account: CodeHolder, proof: SecondFactorProof | null, client: ClientInfo, notify = true): Promise<void> {
    if (proof && !(await this.store.consume(tx, account, proof, client, notify))) throw invalidCode();
  }
}
