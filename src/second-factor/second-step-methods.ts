import { Injectable } from '@nestjs/common';

/** A way to finish a login after the password, offered beside the codes this module checks itself. */
export interface SecondStepMethod {
  /** As the 401 of a login lists it, e.g. `passkey`. */
  name: string;
  /** Whether this account can use it now. Runs on every login of an account with two-step login: one indexed read at most. */
  availableFor(userId: number): Promise<boolean>;
}

/** What every account with two-step login can use: its authenticator app, or one of its recovery codes. */
const BUILT_IN = ['totp', 'recovery_code'];

/**
 * The `methods` a login that needs its second step lists (GET
 * /access_tokens → 401 `Second factor required`).
 *
 * The seam for other ways of finishing a login: a module that offers one
 * (passkeys) imports this module and, from its own `onModuleInit`, calls
 * `register({ name: 'passkey', availableFor })`. This module never imports
 * it back, so no module depends on the other both ways; finishing the login
 * is then that module's own endpoint, through PendingLogins (`claimAttempt`,
 * `complete`) and the access token service.
 */
@Injectable()
export class SecondStepMethods {
  private readonly extra: SecondStepMethod[] = [];

  register(method: SecondStepMethod): void {
    if (BUILT_IN.includes(method.name) || this.extra.some((known) => known.name === method.name)) {
      throw new Error(`second-step method ${method.name} is registered already`);
    }
    this.extra.push(method);
  }

  async forAccount(userId: number): Promise<string[]> {
    const available = await Promise.all(this.extra.map((method) => method.availableFor(userId)));
    return [...BUILT_IN, ...this.extra.filter((_method, i) => available[i]).map((method) => method.name)];
  }
}
