import { BadRequestException, Inject, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { InvalidFieldsError, TooManyRequestsError } from '../http/api-error.js';
import type { ClientInfo } from '../http/client-info.js';
import { type Provider, SignInProvidersService } from '../sign-in-providers/sign-in-providers.service.js';
import { AccountLinking } from './account-linking.service.js';
import { answerUrl, refused, type SignInOutcome } from './sign-in-outcome.js';
import { type SignInFlow, SignInFlows } from './sign-in-flows.service.js';
import { isUnreachable, ProviderUnavailableError } from './upstream.js';
import { Upstreams } from './upstreams.service.js';

export const PROVIDER_NOT_FOUND_MESSAGE = 'Provider not found';
export const PROVIDER_UNAVAILABLE_MESSAGE = 'Provider unavailable, please retry later';
export const SIGN_IN_EXPIRED_MESSAGE = 'Sign-in expired, please start again';
export const RETURN_TO_NOT_ALLOWED_MESSAGE = 'return_to must be one of the allowed return URLs';

/** Where a flow starts: the provider, where to come back to, the app's own state, and for a link the signed-in account. */
export interface FlowStart {
  providerId: string;
  returnTo: string;
  appState?: string;
  linkTo?: number;
}

/**
 * What the login pages (49) do with the answer of a sign-in they started
 * for an interaction: keep it for that interaction, in the database, and
 * say where the browser goes on to. A login code then never travels in a
 * URL, and the answer may come back through any instance.
 */
export type LoginPageReturn = (interaction: string, outcome: SignInOutcome, provider: Pick<Provider, 'id' | 'name'>) => Promise<string>;

/**
 * Signing in with another provider: the redirect to it (52) and its
 * callback (53), which checks the answer, applies the linking rules and
 * sends the browser back to the app with a login code or an error, never a
 * token. The flow lives in the database, so the callback may land on any
 * instance; everything it needs is in the flow and the provider's row.
 */
@Injectable()
export class SocialSignInService {
  private readonly logger = new Logger('SocialSignIn');
  private loginPageReturn: LoginPageReturn | null = null;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly providers: SignInProvidersService,
    private readonly upstreams: Upstreams,
    private readonly flows: SignInFlows,
    private readonly linking: AccountLinking,
    private readonly auth: AuthService,
  ) {}

  /** The login pages take the answers of the sign-ins they start (they register at start-up; this module never imports them). */
  onLoginPageReturn(receiver: LoginPageReturn): void {
    this.loginPageReturn = receiver;
  }

  /** The provider's authorization URL for a new flow; 404 for an unknown provider, 400 for a return_to not allowed, 503 when it is unreachable. */
  async start({ providerId, returnTo, appState, linkTo }: FlowStart): Promise<string> {
    const provider = await this.providers.find(providerId);
    if (!provider) throw new NotFoundException(PROVIDER_NOT_FOUND_MESSAGE);
    if (!this.config.socialReturnUrls.includes(returnTo)) {
      throw new InvalidFieldsError([{ field: 'return_to', message: RETURN_TO_NOT_ALLOWED_MESSAGE }]);
    }
    return this.redirect(provider, { userId: linkTo ?? null, returnTo, appState: appState ?? null, interaction: null });
  }

  /**
   * A sign-in started on the login pages for `interaction`, whose address
   * (`returnTo`, under the issuer) the pages give: the same flow, checks and
   * linking rules as 52–53, its answer handed to them (onLoginPageReturn)
   * instead of a return_to. 404 for an unknown provider, 503 when it is
   * unreachable.
   */
  async startForLoginPage(providerId: string, interaction: string, returnTo: string): Promise<string> {
    const provider = await this.providers.find(providerId);
    if (!provider) throw new NotFoundException(PROVIDER_NOT_FOUND_MESSAGE);
    return this.redirect(provider, { userId: null, returnTo, appState: null, interaction });
  }

  private async redirect(provider: Provider, flow: Omit<SignInFlow, 'providerRowId' | 'secrets'>): Promise<string> {
    const upstream = await this.upstreams.for(provider).catch((error: unknown) => {
      if (error instanceof ProviderUnavailableError) {
        this.logger.warn(`sign-in with ${provider.id} not started: ${error.message}`);
        throw new ServiceUnavailableException(PROVIDER_UNAVAILABLE_MESSAGE);
      }
      throw error;
    });
    const secrets = await this.flows.start({ providerRowId: provider.rowId, ...flow });
    return (await upstream.authorizationUrl(secrets, this.upstreams.redirectUri(provider))).href;
  }

  /**
   * The provider's answer, `query` as it came (the raw query string). An
   * unknown, used or expired state is a 400 (there is nowhere safe to send
   * the browser) and counts as a failed login of the client address;
   * anything after that goes back to the flow's return_to, or for a flow
   * of the login pages to their interaction.
   */
  async callback(providerId: string, query: string, client: ClientInfo): Promise<string> {
    const parameters = new URLSearchParams(query);
    const flow = await this.flows.take(parameters.get('state') ?? '');
    const provider = flow && (await this.providers.find(providerId));
    if (!flow || !provider || provider.rowId !== flow.providerRowId) {
      await this.auth.underLoginLimits(null, client, async () => null);
      throw new BadRequestException(SIGN_IN_EXPIRED_MESSAGE);
    }
    const outcome = await this.finish(flow, provider, parameters, client);
    if (flow.interaction === null) return answerUrl(flow.returnTo, outcome, flow.appState);
    if (!this.loginPageReturn) throw new Error('a sign-in of the login pages came back, and no login pages take it');
    return this.loginPageReturn(flow.interaction, outcome, provider);
  }

  private async finish(flow: SignInFlow, provider: Provider, parameters: URLSearchParams, client: ClientInfo): Promise<SignInOutcome> {
    // The person said no, or the provider could not sign them in: nothing to check, nothing to count.
    if (parameters.has('error')) return refused('access_denied');
    try {
      const upstream = await this.upstreams.for(provider);
      const callbackUrl = new URL(`${this.upstreams.redirectUri(provider)}?${parameters.toString()}`);
      // Whose sign-in it is is not known yet: the client address's limit; the account's comes with the linking rules.
      const identity = await this.auth.underLoginLimits(null, client, () =>
        upstream.identify(callbackUrl, flow.secrets).catch((error: unknown) => {
          if (isUnreachable(error)) throw error;
          this.logger.warn(`sign-in with ${provider.id} refused: ${(error as Error).name}: ${(error as Error).message}`);
          return null;
        }),
      );
      if (!identity) return refused('invalid_response');
      return await this.linking.resolve({ provider, identity, linkTo: flow.userId, client });
    } catch (error) {
      if (error instanceof TooManyRequestsError) return refused('too_many_attempts');
      this.logger.warn(`sign-in with ${provider.id} failed: ${(error as Error).name}: ${(error as Error).message}`);
      return refused('server_error');
    }
  }
}
