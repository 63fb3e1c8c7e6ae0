import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Ends what another module keeps signed in for an account (its browser sessions at the OpenID Provider), inside the caller's transaction. */
export type SignOut = (tx: EntityManager, userId: number) => Promise<void>;

/**
 * Where an account is signed in beyond its access tokens. Whatever revokes
 * every token of an account (a password set, reset or changed, signing out
 * everywhere, two-step login turned on, an operator's disable) signs it out
 * of these too, in the same transaction.
 *
 * The seam for modules that keep sign-ins of their own: such a module
 * imports this one and, from its `onModuleInit`, calls `register`; this
 * module never imports it back.
 */
@Injectable()
export class AccountSignOuts {
  private readonly signOuts: SignOut[] = [];

  register(signOut: SignOut): void {
    this.signOuts.push(signOut);
  }

  async signOut(tx: EntityManager, userId: number): Promise<void> {
    for (const signOut of this.signOuts) await signOut(tx, userId);
  }
}
