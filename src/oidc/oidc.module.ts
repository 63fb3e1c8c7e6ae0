import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountSignOuts } from '../auth/account-sign-outs.js';
import { AuthModule } from '../auth/auth.module.js';
import { OidcClientsModule } from '../oidc-clients/oidc-clients.module.js';
import { OidcClientsService } from '../oidc-clients/oidc-clients.service.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { RegistrationModule } from '../registration/registration.module.js';
import { SecondFactorModule } from '../second-factor/second-factor.module.js';
import { SignInProvidersModule } from '../sign-in-providers/sign-in-providers.module.js';
import { SocialSignInModule } from '../social-sign-in/social-sign-in.module.js';
import { SocialSignInService } from '../social-sign-in/social-sign-in.service.js';
import { AccountDataOwners } from '../users/account-data-owners.js';
import { UsersModule } from '../users/users.module.js';
import { AppsController } from './apps.controller.js';
import { BackChannelLogouts } from './back-channel-logouts.js';
import { ConsentMemory } from './consents.js';
import { InteractionLogins } from './login/interaction-logins.js';
import { InteractionPages } from './login/interaction-pages.js';
import { LoginSteps } from './login/login-steps.js';
import { MailedCodeRoutes } from './login/mailed-code-routes.js';
import { MailedCodeSteps } from './login/mailed-code-steps.js';
import { ProviderReturns } from './login/provider-returns.js';
import { ProviderRoutes } from './login/provider-routes.js';
import { OidcSignIns } from './login/sign-ins.js';
import { LogoutDeliveryEntity } from './logout-delivery.entity.js';
import { OidcAccountService } from './oidc-account.service.js';
import { OidcAccounts } from './oidc-accounts.js';
import { OidcProviderHost } from './oidc-provider.host.js';
import { OidcRecordEntity } from './oidc-record.entity.js';
import { OidcStore } from './oidc-store.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SigningKeys } from './signing-keys.service.js';

/**
 * Sign in with one_auth (42–50): the OpenID Provider, what it keeps
 * (`oidc_records`), its signing keys (`oidc_signing_keys`), back-channel
 * logouts on their way (`oidc_logout_deliveries`), its login pages and the
 * apps a person let in. Accounts, profiles, second factors, passkeys,
 * sign-up and reset with a mailed code, other providers and limits come
 * from their owners' services. The modules it takes part in never import
 * it: it registers itself with them (AccountSignOuts, AccountDataOwners,
 * OidcClientsService.onDelete, SocialSignInService.onLoginPageReturn).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([OidcRecordEntity, SigningKeyEntity, LogoutDeliveryEntity]),
    UsersModule,
    ProfileModule,
    AuthModule,
    SecondFactorModule,
    PasskeysModule,
    OidcClientsModule,
    RegistrationModule,
    SignInProvidersModule,
    SocialSignInModule,
  ],
  controllers: [AppsController],
  providers: [
    OidcStore,
    SigningKeys,
    OidcAccounts,
    ConsentMemory,
    BackChannelLogouts,
    OidcProviderHost,
    OidcAccountService,
    LoginSteps,
    OidcSignIns,
    InteractionLogins,
    ProviderReturns,
    ProviderRoutes,
    MailedCodeSteps,
    MailedCodeRoutes,
    InteractionPages,
  ],
  exports: [OidcProviderHost, InteractionPages, SigningKeys],
})
export class OidcModule implements OnModuleInit {
  constructor(
    private readonly signOuts: AccountSignOuts,
    private readonly owners: AccountDataOwners,
    private readonly clients: OidcClientsService,
    private readonly account: OidcAccountService,
    private readonly store: OidcStore,
    private readonly keys: SigningKeys,
    private readonly social: SocialSignInService,
    private readonly providerReturns: ProviderReturns,
  ) {}

  onModuleInit(): void {
    this.signOuts.register((tx, userId) => this.account.signOut(tx, userId));
    this.owners.register(this.account);
    this.owners.register({ pruneTasks: () => this.keys.pruneTasks() });
    this.clients.onDelete((tx, clientId) => this.store.deleteOfClient(tx, clientId));
    this.social.onLoginPageReturn((uid, outcome, provider) => this.providerReturns.keep(uid, outcome, provider));
  }
}
