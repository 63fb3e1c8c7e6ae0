import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { isLoopbackHttp } from '../config/social-config.js';
import type { Provider } from '../sign-in-providers/sign-in-providers.service.js';
import { GitHubUpstream } from './github-upstream.js';
import { OidcUpstream } from './oidc-upstream.js';
import { isUnreachable, ProviderUnavailableError, type Upstream } from './upstream.js';

/**
 * How long a provider's discovered metadata is used before it is read
 * again. The provider's row itself is read from the database on every
 * sign-in; a provider removed and added again is a new row, met afresh.
 * Its signing keys are refreshed by openid-client when a token names a key
 * it does not know.
 */
export const METADATA_TTL_MS = 10 * 60_000;

/** The client of each provider, made once per row and kept METADATA_TTL_MS. */
@Injectable()
export class Upstreams {
  private readonly made = new Map<number, { upstream: Promise<Upstream>; at: number }>();

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfigType) {}

  /** Where the provider sends the browser back to: PUBLIC_URL/one_auth/api/sign_in/{id}/callback. */
  redirectUri(provider: Pick<Provider, 'id'>): string {
    return `${this.config.publicUrl}/one_auth/api/sign_in/${provider.id}/callback`;
  }

  /** The provider's client; a ProviderUnavailableError when its discovery fails (tried again at the next sign-in). */
  async for(provider: Provider): Promise<Upstream> {
    const now = Date.now();
    for (const [rowId, entry] of this.made) if (now - entry.at >= METADATA_TTL_MS) this.made.delete(rowId);
    let entry = this.made.get(provider.rowId);
    if (!entry) {
      entry = { upstream: this.make(provider), at: now };
      this.made.set(provider.rowId, entry);
    }
    try {
      return await entry.upstream;
    } catch (error) {
      if (this.made.get(provider.rowId) === entry) this.made.delete(provider.rowId);
      throw isUnreachable(error) || !(error instanceof Error) ? new ProviderUnavailableError('provider unreachable') : error;
    }
  }

  private async make(provider: Provider): Promise<Upstream> {
    const insecure = isLoopbackHttp(new URL(provider.issuer));
    if (provider.kind === 'github') return new GitHubUpstream(provider.issuer, provider.clientId, provider.clientSecret, insecure);
    try {
      return await OidcUpstream.discover(provider.issuer, provider.clientId, provider.clientSecret, insecure);
    } catch (error) {
      // Whatever discovery met (no answer, a 404, metadata for another issuer), no sign-in can start: the provider is unavailable.
      throw new ProviderUnavailableError(`discovery of ${provider.issuer} failed: ${(error as Error).message}`);
    }
  }
}
