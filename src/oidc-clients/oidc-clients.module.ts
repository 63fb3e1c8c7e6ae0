import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientSecrets } from './client-secrets.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { OidcClientsService } from './oidc-clients.service.js';

/**
 * The apps registered to sign in with one_auth (`oidc_clients`): made,
 * changed and deleted by operators (the clients CLI, the admin API), read by
 * the OpenID Provider.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OidcClientEntity])],
  providers: [OidcClientsService, ClientSecrets],
  exports: [OidcClientsService],
})
export class OidcClientsModule {}
