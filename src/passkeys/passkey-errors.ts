import { HttpException } from '@nestjs/common';

export const PASSKEY_NOT_ACCEPTED_MESSAGE = 'Passkey not accepted';

/**
 * Any refused passkey response: the same answer whatever was wrong (an
 * unknown or another account's credential, a spent or expired challenge,
 * a wrong origin or RP ID, no user verification, a bad signature, a counter
 * that went back), so a caller learns nothing from which. 422 when adding a
 * passkey, 401 when signing in.
 */
export class PasskeyNotAcceptedError extends HttpException {
  constructor(status: 401 | 422) {
    super({ message: PASSKEY_NOT_ACCEPTED_MESSAGE }, status);
  }
}

/** 409: the account holds the most passkeys it may; one must go before another comes. */
export class PasskeyLimitError extends HttpException {
  constructor(message: string) {
    super({ message }, 409);
  }
}
