import { Module, type OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appConfig } from '../config/app.config.js';
import { DatabaseModule } from '../database/database.module.js';
import { OidcClientsModule } from '../oidc-clients/oidc-clients.module.js';
import { OidcClientsService } from '../oidc-clients/oidc-clients.service.js';
import { OidcStore } from './oidc-store.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SigningKeys } from './signing-keys.service.js';

/**
 * What `node dist/cli.js clients …` and `… signing-keys …` run on: the
 * service's configuration and database (pending migrations applied first,
 * as at the service's start), the clients' service, the signing keys, and
 * the provider's records, so that deleting a client ends what was issued
 * to it exactly as the admin API does.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig], ignoreEnvFile: true, cache: true }),
    DatabaseModule,
    TypeOrmModule.forFeature([SigningKeyEntity]),
    OidcClientsModule,
  ],
  providers: [SigningKeys, OidcStore],
})
export class OidcCliModule implements OnModuleInit {
  constructor(
    private readonly clients: OidcClientsService,
    private readonly store: OidcStore,
  ) {}

  onModuleInit(): void {
    this.clients.onDelete((tx, clientId) => this.store.deleteOfClient(tx, clientId));
  }
}
