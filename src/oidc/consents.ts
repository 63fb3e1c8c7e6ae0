import { Injectable } from '@nestjs/common';
import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { CONSENT_MODEL, consentId, OidcStore } from './oidc-store.js';

/**
 * Set on every authorization request by the provider's host: whether its
 * scope asked for `offline_access`. The provider drops that scope unless
 * the request also says `prompt=consent` (OIDC Core 11), so without this
 * nothing would tell a request that asked for it from one that did not.
 */
export const OFFLINE_REQUESTED_PARAM = 'offline_access_requested';

/** Whether a client was registered as the operator's own app: it is never asked about. */
export function isFirstParty(client: { [key: string]: unknown } | undefined): boolean {
  return client?.first_party === true;
}

/**
 * What a person let each app have, remembered per set of scopes across
 * browser sessions (the provider's own grants live and die with a session).
 * A third-party app is asked once for a set of scopes; a first-party app is
 * never asked. Either way the app is among the person's apps (50) until
 * revoked.
 */
@Injectable()
export class ConsentMemory {
  constructor(private readonly store: OidcStore) {}

  /** The scopes the account let the client have; empty when it never did (or revoked it). */
  async scopesOf(accountId: string, clientId: string): Promise<string[]> {
    const found = await this.store.find(CONSENT_MODEL, consentId(accountId, clientId));
    return (found?.payload.scopes as string[] | undefined) ?? [];
  }

  /** Adds scopes to what the account let the client have; when it was first let in stays as it was. */
  async remember(accountId: string, clientId: string, scopes: string[]): Promise<void> {
    const known = await this.scopesOf(accountId, clientId);
    const all = [...new Set([...known, ...scopes])];
    if (known.length > 0 && all.length === known.length) return;
    await this.store.upsert(CONSENT_MODEL, consentId(accountId, clientId), { accountId, clientId, scopes: all }, undefined);
  }

  /**
   * The provider's `loadExistingGrant`: the grant of this browser session
   * for the client (or the one a consent page just made), topped up with
   * every requested scope the person already let the app have (a
   * first-party app: every requested scope), and kept alive as long as a
   * refresh token issued under it may live. The provider asks for consent
   * only for what is still missing.
   *
   * `offline_access` asked for without `prompt=consent` is given back to
   * the request when the app may have it without asking: a first-party app,
   * or a third-party one the person already let keep access (OIDC Core 11's
   * "other conditions permitting offline access"). Otherwise it stays
   * dropped, and a third-party app asks with `prompt=consent`.
   */
  async loadExistingGrant(ctx: KoaContextWithOIDC, grantTtlSeconds: number): Promise<Grant | undefined> {
    const { client, session, params, result, provider } = ctx.oidc;
    const accountId = session?.accountId;
    if (!client || !accountId) return undefined;
    const grantId = (result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId)) grant = undefined;

    const scope = params?.scope;
    const requested = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
    const offline =
      params?.[OFFLINE_REQUESTED_PARAM] === '1' && client.grantTypeAllowed('refresh_token') && !requested.includes('offline_access');
    if (offline) requested.push('offline_access');
    let allowed: string[];
    if (isFirstParty(client as unknown as Record<string, unknown>)) {
      allowed = requested;
      await this.remember(accountId, client.clientId, requested);
    } else {
      const remembered = new Set(await this.scopesOf(accountId, client.clientId));
      allowed = requested.filter((scope) => remembered.has(scope));
    }
    if (offline && allowed.includes('offline_access')) params!.scope = requested.join(' ');
    const granted = new Set(grant?.getOIDCScope().split(' ') ?? []);
    const missing = allowed.filter((scope) => !granted.has(scope));
    if (missing.length === 0 && (!grant || (grant.exp ?? Infinity) - nowSeconds() > grantTtlSeconds / 2)) return grant;
    grant ??= new provider.Grant({ accountId, clientId: client.clientId });
    if (missing.length > 0) grant.addOIDCScope(missing.join(' '));
    grant.exp = nowSeconds() + grantTtlSeconds;
    await grant.save();
    return grant;
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
