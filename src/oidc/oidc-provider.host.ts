import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Provider, { type Adapter, type KoaContextWithOIDC } from 'oidc-provider';
import filterClaims from 'oidc-provider/lib/helpers/filter_claims.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { OidcClientsService } from '../oidc-clients/oidc-clients.service.js';
import { BackChannelLogouts } from './back-channel-logouts.js';
import { ConsentMemory, OFFLINE_REQUESTED_PARAM } from './consents.js';
import { KEY_REFRESH_MS } from './key-set.js';
import { OidcAccounts } from './oidc-accounts.js';
import { OidcStore } from './oidc-store.js';
import { providerConfiguration } from './provider-configuration.js';
import { answerOutages, duringOutage, outageAware } from './provider-outage.js';
import { SigningKeys } from './signing-keys.service.js';
import { storeAdapterFactory } from './store-adapter.js';

/** The path template of each of the provider's routes, for request lines and metrics (never the URL itself). */
const ROUTE_TEMPLATES: Readonly<Record<string, string>> = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/jwks',
  authorization: '/auth',
  resume: '/auth/:uid',
  pushed_authorization_request: '/request',
  token: '/token',
  userinfo: '/me',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  end_session: '/session/end',
  end_session_confirm: '/session/end/confirm',
  end_session_success: '/session/end/success',
};

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** How long userinfo may answer with a client's registration or a grant as this instance last read it (readForUserinfo). */
export const USERINFO_READ_TTL_MS = 5_000;
/** How many clients and grants userinfo keeps: a bound on memory, not a tuning knob. */
const MAX_USERINFO_READS = 10_000;

/**
 * The OpenID Provider itself: an oidc-provider instance built from the
 * configuration, the database-backed adapter and the current signing keys.
 * The keys are read again every KEY_REFRESH_MS; when the set this instance
 * must publish or sign with has changed (a rotation, a new key's turn, an
 * old key's end), a new instance replaces the old one between requests. It
 * keeps nothing in memory that another instance or a restart would need:
 * everything is in the database.
 */
@Injectable()
export class OidcProviderHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('OpenIdProvider');
  private provider: Provider | undefined;
  private handler: Handler | undefined;
  private fingerprint = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly adapter: (model: string) => Adapter;
  /** Clients and grants as userinfo last read them, by model and id (readForUserinfo). */
  private readonly userinfoReads = new Map<string, { found: object; readAt: number }>();
  /** Set while userinfo is answered ahead of the provider's pipeline (answerUserinfo): its reads count as userinfo's. */
  private readonly answeringUserinfo = new AsyncLocalStorage<true>();

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    store: OidcStore,
    private readonly clients: OidcClientsService,
    private readonly keys: SigningKeys,
    private readonly accounts: OidcAccounts,
    private readonly consents: ConsentMemory,
    private readonly logouts: BackChannelLogouts,
    private readonly transactions: TransactionRunner,
  ) {
    const clientAdapter: Adapter = {
      find: (clientId: string) =>
        this.readForUserinfo('Client', clientId, () => clients.providerMetadataOf(clientId)) as ReturnType<Adapter['find']>,
      upsert: () => Promise.reject(new Error('clients are registered by operators, not by the provider')),
      findByUid: () => Promise.resolve(undefined),
      findByUserCode: () => Promise.resolve(undefined),
      consume: () => Promise.resolve(),
      destroy: () => Promise.resolve(),
      revokeByGrantId: () => Promise.resolve(),
    };
    const adapter = storeAdapterFactory(store, (model) => (model === 'Client' ? clientAdapter : undefined));
    const grants = adapter('Grant');
    const grantAdapter: Adapter = {
      upsert: (id, payload, expiresIn) => grants.upsert(id, payload, expiresIn).finally(() => this.forgetForUserinfo('Grant', id)),
      find: (id) => this.readForUserinfo('Grant', id, async () => (await grants.find(id)) ?? undefined) as ReturnType<Adapter['find']>,
      findByUid: (uid) => grants.findByUid(uid),
      findByUserCode: (userCode) => grants.findByUserCode(userCode),
      consume: (id) => grants.consume(id),
      destroy: (id) => grants.destroy(id).finally(() => this.forgetForUserinfo('Grant', id)),
      revokeByGrantId: (grantId) => grants.revokeByGrantId(grantId),
    };
    this.adapter = (model) => outageAware(model === 'Grant' ? grantAdapter : adapter(model));
  }

  /**
   * A client's registration or a grant as the provider reads it: from the
   * database on every request, except for userinfo, which may use what this
   * instance read less than USERINFO_READ_TTL_MS ago. Userinfo neither
   * authenticates the client nor sends anything to its addresses, and the
   * access token it answers for is read every time: a deleted client's
   * tokens and a revoked grant's tokens are gone with them, so they are
   * refused at once all the same; a grant another instance widened shows its
   * new scopes within those seconds. Every other route (the token endpoint
   * checking a secret, the authorization endpoint checking a redirect URI, a
   * refresh checking its grant) reads afresh. Userinfo answered ahead of
   * the provider's pipeline (answerUserinfo) reads as userinfo does.
   */
  private async readForUserinfo(model: string, id: string, read: () => Promise<object | undefined>): Promise<object | undefined> {
    const ctx = Provider.ctx as KoaContextWithOIDC | undefined;
    if (ctx?.oidc?.route !== 'userinfo' && !this.answeringUserinfo.getStore()) return read();
    const key = `${model}:${id}`;
    const now = Date.now();
    const recent = this.userinfoReads.get(key);
    if (recent && now - recent.readAt < USERINFO_READ_TTL_MS) return recent.found;
    const found = await read();
    if (this.userinfoReads.size >= MAX_USERINFO_READS) this.userinfoReads.clear();
    if (found) this.userinfoReads.set(key, { found, readAt: now });
    else this.userinfoReads.delete(key);
    return found;
  }

  /** What this instance writes or destroys, its own userinfo answers see at once. */
  private forgetForUserinfo(model: string, id: string): void {
    this.userinfoReads.delete(`${model}:${id}`);
  }

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: Error) => this.logger.warn(`reading the signing keys failed: ${error.message}`));
    }, KEY_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The provider as it stands; built at start, before the service takes requests. */
  get current(): Provider {
    if (!this.provider) throw new Error('the OpenID Provider is not built yet');
    return this.provider;
  }

  /** Answers a request whose URL is already relative to the issuer's path (Express keeps the whole one in `originalUrl`). */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!this.handler) throw new Error('the OpenID Provider is not built yet');
    return this.handler(request, response);
  }

  /**
   * Userinfo's claims for an access token, as the provider's own userinfo
   * action makes them (oidc-provider/lib/actions/userinfo.js), through the
   * provider's models and its Claims mask: the token (read on every call),
   * its client, its account and its grant, each checked as the action
   * checks them, then the claims of the scopes the grant still allows, with
   * a pairwise `sub` for a pairwise client. Undefined for anything but the
   * plain success (no token, a refusal, a token bound to a certificate or a
   * key, a client that wants its userinfo signed): the provider's pipeline
   * answers those, with its own error. Called by userinfo-ahead.ts.
   */
  answerUserinfo(value: string): Promise<Record<string, unknown> | undefined> {
    const provider = this.current;
    return this.answeringUserinfo.run(true, async () => {
      const token = await provider.AccessToken.find(value);
      if (!token || token.aud !== undefined || token['x5t#S256'] || token.jkt || !token.scopes.has('openid')) return undefined;
      const client = await provider.Client.find(token.clientId!);
      if (!client || client.userinfoSignedResponseAlg || client.userinfoEncryptedResponseAlg) return undefined;
      const account = await this.accounts.find(token.accountId);
      if (!account) return undefined;
      const grant = await provider.Grant.find(token.grantId!, { ignoreExpiration: true });
      if (!grant || grant.isExpired || grant.clientId !== token.clientId || grant.accountId !== token.accountId) return undefined;
      const claims = filterClaims(token.claims, 'userinfo', grant);
      const rejected = grant.getRejectedOIDCClaims();
      const scope = grant.getOIDCScopeFiltered(new Set(token.scope!.split(' ')));
      const available = { ...(await account.claims('userinfo', scope, claims, rejected)), sub: account.accountId };
      const mask = new provider.Claims(available, { client });
      mask.scope(scope);
      mask.mask(claims);
      mask.rejected(rejected);
      return mask.result();
    });
  }

  /** Builds a new provider when the keys to publish or sign with changed. */
  async refresh(): Promise<void> {
    const keys = await this.keys.current();
    if (keys.fingerprint === this.fingerprint) return;
    const provider = new Provider(
      this.config.oidc.issuer,
      providerConfiguration({
        oidc: this.config.oidc,
        secret: this.config.secret,
        adapter: this.adapter,
        keys,
        accounts: this.accounts,
        consents: this.consents,
      }),
    );
    // The forwarded protocol and host the provider reads are set from OIDC_ISSUER for every request (oidc-mount.ts).
    provider.proxy = true;
    // Outermost: a database outage is a 503 with Retry-After wherever the provider meets it (provider-outage.ts).
    provider.use(answerOutages(this.config.oidc.mountPath));
    provider.use(async (ctx, next) => {
      // Whether the request asked for offline_access, before the provider drops it (consents.ts); never what a client says.
      if (ctx.path === '/auth' && ctx.method === 'GET') {
        const { [OFFLINE_REQUESTED_PARAM]: _sent, ...query } = ctx.query;
        const scope = typeof query.scope === 'string' ? query.scope.split(' ') : [];
        ctx.query = scope.includes('offline_access') ? { ...query, [OFFLINE_REQUESTED_PARAM]: '1' } : query;
      }
      await next();
    });
    provider.use(async (ctx, next) => {
      try {
        await next();
      } finally {
        const template = ROUTE_TEMPLATES[(ctx as KoaContextWithOIDC).oidc?.route?.replace(/^cors\./, '') ?? ''];
        if (template) (ctx.req as IncomingMessage & { route?: { path: string } }).route = { path: this.config.oidc.mountPath + template };
      }
    });
    this.queueBackChannelLogouts(provider);
    // `sid` in every ID token, as SPEC 44 lists it (the provider adds it only for back-channel clients that require it).
    Object.defineProperty(provider.Client.prototype, 'includeSid', { configurable: true, value: () => true });
    provider.on('server_error', (_ctx: unknown, error: Error) => this.logger.error(`provider error: ${error.name}: ${error.message}`));
    this.provider = provider;
    this.handler = provider.callback() as unknown as Handler;
    if (this.fingerprint) this.logger.log(`signing keys changed: now publishing ${keys.keys.length} keys`);
    this.fingerprint = keys.fingerprint;
  }

  /**
   * The provider sends a back-channel logout itself, inside the logout
   * request; here it is queued instead, in the outbox (back-channel-logouts.ts),
   * and sent from there with retries.
   */
  private queueBackChannelLogouts(provider: Provider): void {
    const { accounts, logouts, transactions } = this;
    Object.defineProperty(provider.Client.prototype, 'backchannelLogout', {
      configurable: true,
      value: async function (this: InstanceType<Provider['Client']>, accountId: string, sid: string | undefined) {
        if (!this.backchannelLogoutUri) return;
        const sub = this.subjectType === 'pairwise' ? accounts.pairwise(accountId, this.clientId) : accountId;
        await duringOutage(() =>
          transactions.run((tx) => logouts.enqueue(tx, [{ clientId: this.clientId, endpoint: this.backchannelLogoutUri!, sub, sid }])),
        );
      },
    });
  }
}
