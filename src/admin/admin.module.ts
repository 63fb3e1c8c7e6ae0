import { Module } from '@nestjs/common';
import { AccountModule } from '../account/account.module.js';
import { AdminAuditModule } from '../admin-audit/admin-audit.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CodesModule } from '../codes/codes.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { SecondFactorModule } from '../second-factor/second-factor.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountFactors } from './account-factors.js';
import { AdminAuditController } from './admin-audit.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminUsersService } from './admin-users.service.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { SignInProvidersModule } from '../sign-in-providers/sign-in-providers.module.js';
import { AdminProvidersController } from './admin-providers.controller.js';
import { AdminProvidersService } from './admin-providers.service.js';

/**
 * The operators' API (`/one_auth/admin/api`, API keys): accounts listed,
 * inspected, disabled, signed out, reset and erased through their owners'
 * services; the sign-in providers; and the audit log. Owns no table.
 */
@Module({
  imports: [
    ApiKeysModule,
    AdminAuditModule,
    AccountModule,
    AuthModule,
    UsersModule,
    CodesModule,
    ProfileModule,
    MailModule,
    SecondFactorModule,
    PasskeysModule,
    SignInProvidersModule,
    IdentitiesModule,
  ],
  controllers: [AdminUsersController, AdminProvidersController, AdminAuditController],
  providers: [AdminUsersService, AdminProvidersService, AccountFactors],
})
export class AdminModule {}
