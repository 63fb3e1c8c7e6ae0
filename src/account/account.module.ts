import { Module } from '@nestjs/common';
import { AdminAuditModule } from '../admin-audit/admin-audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CodesModule } from '../codes/codes.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { ImagesModule } from '../images/images.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { SecondFactorModule } from '../second-factor/second-factor.module.js';
import { SocialSignInModule } from '../social-sign-in/social-sign-in.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountExportService } from './account-export.service.js';
import { AccountOwnerGuard } from './account-owner-auth.js';
import { EmailChangeService } from './email-change.service.js';
import { PasswordChangeService } from './password-change.service.js';

/**
 * What an owner does with their account: password and email changes,
 * activity, export, deletion. Owns no table: each operation goes through
 * the modules that own the data.
 */
@Module({
  imports: [
    AdminAuditModule,
    AuthModule,
    UsersModule,
    CodesModule,
    MailModule,
    ImagesModule,
    ProfileModule,
    PasskeysModule,
    SecondFactorModule,
    IdentitiesModule,
    SocialSignInModule,
  ],
  controllers: [AccountController],
  providers: [PasswordChangeService, EmailChangeService, AccountDeletionService, AccountExportService, AccountOwnerGuard],
  // Operators erase accounts through the same orchestration as their owners.
  exports: [AccountDeletionService],
})
export class AccountModule {}
