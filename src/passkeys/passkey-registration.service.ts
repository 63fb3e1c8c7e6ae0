import { Inject, Injectable } from '@nestjs/common';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ClientInfo } from '../http/client-info.js';
import { SecondFactorPolicy } from '../second-factor/second-factor-policy.service.js';
import type { PasskeyDto } from './dto/passkey.dto.js';
import { CHALLENGE_TTL_MS, PasskeyChallenges } from './passkey-challenges.service.js';
import { PasskeyLimitError, PasskeyNotAcceptedError } from './passkey-errors.js';
import { PASSKEY_LIMIT_MESSAGE, PasskeysService } from './passkeys.service.js';
import { PasskeyStepUp, type StepUpProof } from './passkey-step-up.service.js';
import { accountUserHandle, challengeOf } from './webauthn-response.js';

/** ES256, EdDSA, RS256: what platform authenticators and security keys make. */
const SUPPORTED_ALGORITHMS = [-7, -8, -257];
const DEFAULT_NAME = 'Passkey';

/** The signed-in account a passkey is added to. */
type Owner = { id: number; email: string };

/** Adding a passkey: the creation options (28), then the authenticator's response verified and kept (29). */
@Injectable()
export class PasskeyRegistration {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly challenges: PasskeyChallenges,
    private readonly passkeys: PasskeysService,
    private readonly stepUp: PasskeyStepUp,
    private readonly secondFactor: SecondFactorPolicy,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Options for navigator.credentials.create(): a discoverable credential
   * (so it can sign in with no email typed) with user verification, none of
   * the account's passkeys made again. Only for a caller who proved more
   * than the token (PasskeyStepUp): refused, no challenge is made; a
   * second-factor code is used up with the challenge it allowed.
   */
  async options(principal: TokenPrincipal, proof: StepUpProof, client: ClientInfo): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { user } = principal;
    const codeProof = await this.stepUp.confirm(principal, proof, client);
    if (!(await this.passkeys.hasRoomFor(user.id))) throw new PasskeyLimitError(PASSKEY_LIMIT_MESSAGE);
    const { rpId, rpName } = this.config.passkeys;
    const [challenge, existing] = await Promise.all([
      this.transactions.run(async (tx) => {
        await this.secondFactor.useUp(tx, user, codeProof, client);
        return this.challenges.issue('registration', user.id, tx);
      }),
      this.passkeys.credentialsOf(user.id),
    ]);
    return generateRegistrationOptions({
      rpName,
      rpID: rpId,
      userName: user.email,
      userDisplayName: user.email,
      userID: new Uint8Array(Buffer.from(accountUserHandle(this.config.secret, user.id), 'base64url')),
      // Bytes, so the options carry exactly the challenge stored.
      challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing,
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  }

  /**
   * Verifies the response to options this account was given and keeps the
   * credential. Its challenge is spent first, whatever the outcome; any
   * refusal is the one 422.
   */
  async register(user: Owner, response: unknown, name: string | undefined, client: ClientInfo): Promise<PasskeyDto> {
    const challenge = challengeOf(response);
    if (challenge === null || !(await this.challenges.consume(challenge, 'registration', user.id))) throw new PasskeyNotAcceptedError(422);
    const { rpId, origins } = this.config.passkeys;
    const verification = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origins,
      expectedRPID: rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    }).catch(() => null);
    if (!verification?.verified) throw new PasskeyNotAcceptedError(422);
    const { credential, credentialBackedUp } = verification.registrationInfo;
    return this.passkeys.add(
      user,
      {
        credentialId: credential.id,
        publicKey: credential.publicKey,
        signCount: credential.counter,
        transports: (credential.transports ?? []).filter((transport) => /^[a-z-]{1,20}$/.test(transport)).slice(0, 8),
        userHandle: accountUserHandle(this.config.secret, user.id),
        name: name?.trim() || DEFAULT_NAME,
        backedUp: credentialBackedUp,
      },
      client,
    );
  }
}
