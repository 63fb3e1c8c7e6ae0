import { Inject, Injectable } from '@nestjs/common';
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CHALLENGE_TTL_MS, PasskeyChallenges } from './passkey-challenges.service.js';
import { PasskeysService } from './passkeys.service.js';
import { challengeOf, credentialIdOf, userHandleOf } from './webauthn-response.js';

/** Which account a ceremony is for: none (a discoverable passkey names it), or one already known (the second step of a login). */
export interface CeremonyAccount {
  expectedUserId?: number;
}

/**
 * Proving possession of a passkey: the request options, then the
 * authenticator's assertion verified against the stored credential. It
 * answers whose passkey it was; what that is worth (a session, a second
 * step) is the caller's.
 */
@Injectable()
export class PasskeyAuthentication {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly challenges: PasskeyChallenges,
    private readonly passkeys: PasskeysService,
  ) {}

  /**
   * Options for navigator.credentials.get(), user verification required.
   * Without an account: no credentials listed, the authenticator offers the
   * discoverable ones it holds. With one: that account's passkeys only.
   */
  async options({ expectedUserId }: CeremonyAccount = {}): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const [challenge, allowCredentials] = await Promise.all([
      this.challenges.issue('authentication', expectedUserId ?? null),
      expectedUserId === undefined ? [] : this.passkeys.credentialsOf(expectedUserId),
    ]);
    return generateAuthenticationOptions({
      rpID: this.config.passkeys.rpId,
      challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
      timeout: CHALLENGE_TTL_MS,
      userVerification: 'required',
      allowCredentials,
    });
  }

  /** The account that owns the credential a response names, if any: what the login limits count against. */
  async claimedOwner(response: unknown): Promise<number | null> {
    const credentialId = credentialIdOf(response);
    return credentialId === null ? null : ((await this.passkeys.findByCredentialId(credentialId))?.userId ?? null);
  }

  /**
   * The id of the account whose passkey signed the response, or null for
   * any refusal: a malformed response, a challenge not issued for this
   * ceremony (unknown, spent, expired, or issued for another account), an
   * unknown credential or another account's, a user handle that is not the
   * credential's, a wrong origin or RP ID, no user verification, a bad
   * signature, or a counter that did not move forward. The challenge is
   * spent first, so a response is accepted at most once.
   */
  async verify(response: unknown, { expectedUserId }: CeremonyAccount = {}): Promise<number | null> {
    const challenge = challengeOf(response);
    const credentialId = credentialIdOf(response);
    if (challenge === null || credentialId === null) return null;
    if (!(await this.challenges.consume(challenge, 'authentication', expectedUserId ?? null))) return null;
    const credential = await this.passkeys.findByCredentialId(credentialId);
    if (!credential || (expectedUserId !== undefined && credential.userId !== expectedUserId)) return null;
    const userHandle = userHandleOf(response);
    if (userHandle !== null && userHandle !== credential.userHandle) return null;
    const { rpId, origins } = this.config.passkeys;
    const verification = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origins,
      expectedRPID: rpId,
      credential: {
        id: credential.credentialId,
        publicKey: credential.publicKey,
        counter: credential.signCount,
        transports: credential.transports,
      },
      requireUserVerification: true,
    }).catch(() => null);
    if (!verification?.verified) return null;
    const { newCounter, credentialBackedUp } = verification.authenticationInfo;
    if (!(await this.passkeys.recordUse(credential, newCounter, credentialBackedUp))) return null;
    return credential.userId;
  }
}
