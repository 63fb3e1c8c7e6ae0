import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from '../config/app.config.js';
import { DatabaseModule } from '../database/database.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { SecurityEventsModule } from '../security-events/security-events.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { SignInProvidersModule } from './sign-in-providers.module.js';

/**
 * What `node dist/cli.js providers …` runs on: the service's configuration
 * and database (pending migrations applied first, as at the service's
 * start), the providers' owner, and what removing one tells (the accounts'
 * events and webhooks, delivered by the service's workers).
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig], ignoreEnvFile: true, cache: true }),
    DatabaseModule,
    SecurityEventsModule,
    WebhooksModule,
    SignInProvidersModule,
    IdentitiesModule,
  ],
})
export class ProvidersCliModule {}
