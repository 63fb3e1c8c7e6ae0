import { Injectable } from '@nestjs/common';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import type { ClientInfo } from '../http/client-info.js';
import type { SecondFactorProof } from '../second-factor/second-factor-store.service.js';
import { StepUp, type StepUpProof } from '../second-factor/step-up.service.js';

export type { StepUpProof };

export const SIGN_IN_AGAIN_MESSAGE = 'Sign in again to add a passkey';

/**
 * Adding a passkey asks for more than a token. A token stolen from a log, a
 * browser or a proxy works for up to 30 days; a passkey added with it would
 * outlive every revocation and password change. So the password is asked
 * for again, as enrolling an authenticator app does (and, with two-step
 * login, a code); an account without a password instead needs a recent
 * sign-in: the rule every such operation shares (StepUp).
 */
@Injectable()
export class PasskeyStepUp {
  constructor(private readonly stepUp: StepUp) {}

  /** As StepUp.confirm, refusing an old token of an account without a password with `Sign in again to add a passkey`. */
  confirm(principal: TokenPrincipal, proof: StepUpProof, client: ClientInfo): Promise<SecondFactorProof | null> {
    return this.stepUp.confirm(principal, proof, client, SIGN_IN_AGAIN_MESSAGE);
  }
}
