import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AccountModule } from './account/account.module.js';
import { AdminModule } from './admin/admin.module.js';
import { IntrospectionModule } from './introspection/introspection.module.js';
import { AuthModule } from './auth/auth.module.js';
import { appConfig } from './config/app.config.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { HousekeepingModule } from './housekeeping/housekeeping.module.js';
import { ImagesModule } from './images/images.module.js';
import { MailModule } from './mail/mail.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PasskeysModule } from './passkeys/passkeys.module.js';
import { ProfileModule } from './profile/profile.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { SecurityEventsModule } from './security-events/security-events.module.js';
import { RegistrationModule } from './registration/registration.module.js';
import { UsersModule } from './users/users.module.js';
import { CodesModule } from './codes/codes.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { SecondFactorModule } from './second-factor/second-factor.module.js';
import { SignInProvidersModule } from './sign-in-providers/sign-in-providers.module.js';
import { IdentitiesModule } from './identities/identities.module.js';
import { SocialSignInModule } from './social-sign-in/social-sign-in.module.js';
import { ClientsAdminModule } from './oidc-clients/clients-admin.module.js';
import { OidcClientsModule } from './oidc-clients/oidc-clients.module.js';
import { OidcModule } from './oidc/oidc.module.js';

@Module({
  imports: [
    // .env is read by main.ts before anything else, so the CLI and the app see the same values.
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig], ignoreEnvFile: true, cache: true }),
    DatabaseModule,
    MetricsModule,
    RateLimitModule,
    SecurityEventsModule,
    MailModule,
    WebhooksModule,
    AuthModule,
    SecondFactorModule,
    UsersModule,
    CodesModule,
    RegistrationModule,
    ProfileModule,
    ImagesModule,
    PasskeysModule,
    SignInProvidersModule,
    IdentitiesModule,
    SocialSignInModule,
    AccountModule,
    AdminModule,
    IntrospectionModule,
    OidcClientsModule,
    ClientsAdminModule,
    OidcModule,
    HealthModule,
    HousekeepingModule,
  ],
})
export class AppModule {}
