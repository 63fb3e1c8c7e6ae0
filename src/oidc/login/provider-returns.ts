import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../../config/app.config.js';
import type { Provider } from '../../sign-in-providers/sign-in-providers.service.js';
import { LOGIN_CODE_TTL_MS } from '../../social-sign-in/login-codes.service.js';
import type { SignInOutcome } from '../../social-sign-in/sign-in-outcome.js';
import { OidcStore } from '../oidc-store.js';

/** The store's model for another provider's answer on its way back to the login pages. */
export const PROVIDER_RETURN_MODEL = 'ProviderReturn';

/** Another provider's answer to a sign-in an interaction started: a login code, or why there is none. */
export interface ProviderReturn {
  provider: Pick<Provider, 'id' | 'name'>;
  outcome: SignInOutcome;
}

interface Kept extends ProviderReturn {
  ticketHash: string;
  expiresAt: number;
}

const sha256 = (value: string) => hash('sha256', value, 'buffer');

/**
 * The answers of sign-ins with another provider started on the login pages,
 * between the provider's callback (53, on any instance) and the
 * interaction's page: kept with the provider's records (sealed, in the
 * database) under the interaction, for as long as a login code lives.
 *
 * The callback sends the browser on to the interaction's page with a
 * one-time ticket, and only that ticket together with the interaction's
 * own cookie takes the answer: the browser that came back from the
 * provider must be the one that started the sign-in. A person lured into
 * finishing someone else's sign-in at the provider hands the ticket to
 * their own browser, which holds no cookie of that interaction; the one who
 * started it holds the cookie and never sees the ticket. The ticket is no
 * login code: alone it signs nobody in.
 */
@Injectable()
export class ProviderReturns {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly store: OidcStore,
  ) {}

  /** Keeps the answer for the interaction; answers where the browser goes on to: the interaction's page, with the ticket. */
  async keep(uid: string, outcome: SignInOutcome, provider: Pick<Provider, 'id' | 'name'>): Promise<string> {
    const ticket = randomBytes(32).toString('base64url');
    const kept: Kept = {
      provider: { id: provider.id, name: provider.name },
      outcome,
      ticketHash: sha256(ticket).toString('hex'),
      expiresAt: Date.now() + LOGIN_CODE_TTL_MS,
    };
    await this.store.upsert(PROVIDER_RETURN_MODEL, uid, { ...kept }, LOGIN_CODE_TTL_MS / 1000);
    const url = new URL(`${this.config.oidc.issuer}/interaction/${uid}/provider/return`);
    url.searchParams.set('ticket', ticket);
    return url.href;
  }

  /** The interaction's answer, once, when `ticket` is its own and it is not too old; null otherwise. */
  async take(uid: string, ticket: string): Promise<ProviderReturn | null> {
    const found = await this.store.find(PROVIDER_RETURN_MODEL, uid);
    if (!found || found.consumedAt !== null) return null;
    const kept = found.payload as unknown as Kept;
    const expected = Buffer.from(kept.ticketHash, 'hex');
    const given = sha256(ticket);
    if (kept.expiresAt <= Date.now() || expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    // Of two uses of one ticket (a reload, a replay), one gets the answer.
    if (!(await this.store.consume(PROVIDER_RETURN_MODEL, uid))) return null;
    await this.store.destroy(PROVIDER_RETURN_MODEL, uid);
    return { provider: kept.provider, outcome: kept.outcome };
  }
}
