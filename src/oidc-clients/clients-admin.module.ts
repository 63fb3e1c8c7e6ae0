import { Module } from '@nestjs/common';
import { AdminAuditModule } from '../admin-audit/admin-audit.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AdminClientsController } from './admin-clients.controller.js';
import { AdminClientsService } from './admin-clients.service.js';
import { OidcClientsModule } from './oidc-clients.module.js';

/** The admin API's clients (`/one_auth/admin/api/clients`, API keys with clients:read / clients:write); owns no table. */
@Module({
  imports: [OidcClientsModule, ApiKeysModule, AdminAuditModule],
  controllers: [AdminClientsController],
  providers: [AdminClientsService],
})
export class ClientsAdminModule {}
