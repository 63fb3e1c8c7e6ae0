import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { OidcStore } from './oidc-store.js';

/** Models whose second use is an attack on what the first one gave (RFC 9700 §4.14): the loser of a race revokes the grant. */
const SINGLE_USE = new Map([
  ['AuthorizationCode', 'authorization code already used'],
  ['RefreshToken', 'refresh token already used'],
  ['DeviceCode', 'device code already used'],
  ['BackchannelAuthenticationRequest', 'backchannel authentication request already used'],
]);

/**
 * The provider's storage interface (its adapter, one instance per model)
 * over OidcStore.
 *
 * `consume` is where it goes beyond the interface: the provider checks that
 * a code or refresh token is unused, then marks it used, in two steps. Two
 * requests with one code can both pass the check; here the mark is a
 * conditional write, and the request that loses it answers as a reuse does
 * (`invalid_grant`, and everything the grant gave revoked) instead of
 * getting tokens of its own.
 */
class StoreAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly store: OidcStore,
  ) {}

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    return this.store.upsert(this.model, id, payload as Record<string, unknown>, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf(await this.store.find(this.model, id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf(await this.store.findBy(this.model, 'uid_hash', uid));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf(await this.store.findBy(this.model, 'user_code_hash', userCode));
  }

  async consume(id: string): Promise<void> {
    if (await this.store.consume(this.model, id)) return;
    const reused = SINGLE_USE.get(this.model);
    if (!reused) return;
    const grantId = await this.store.grantOf(this.model, id);
    if (grantId) await this.store.revokeGrant(grantId);
    throw new errors.InvalidGrant(reused);
  }

  destroy(id: string): Promise<void> {
    return this.store.destroy(this.model, id);
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.store.revokeGrant(grantId, this.model);
  }

  private payloadOf(found: Awaited<ReturnType<OidcStore['find']>>): AdapterPayload | undefined {
    if (!found) return undefined;
    return (found.consumedAt === null ? found.payload : { ...found.payload, consumed: found.consumedAt }) as AdapterPayload;
  }
}

/** The `adapter` option: the provider calls it once per model. Clients are not here: they come from their own table. */
export function storeAdapterFactory(store: OidcStore, clients: (model: string) => Adapter | undefined): (model: string) => Adapter {
  return (model) => clients(model) ?? new StoreAdapter(model, store);
}
