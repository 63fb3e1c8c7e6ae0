import { Module } from '@nestjs/common';
import { AdminAuditModule } from '../admin-audit/admin-audit.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CodesModule } from '../codes/codes.module.js';
import { ImagesModule } from '../images/images.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { SecondFactorModule } from '../second-factor/second-factor.module.js';
import { SocialSignInModule } from '../social-sign-in/social-sign-in.module.js';
import { UsersModule } from '../users/users.module.js';
import { HousekeepingService } from './housekeeping.service.js';

/** The scheduled sweep over the owners of rows that stop being needed; owns no table. */
@Module({
  imports: [
    UsersModule,
    AuthModule,
    CodesModule,
    MailModule,
    ImagesModule,
    AdminAuditModule,
    ApiKeysModule,
    PasskeysModule,
    SecondFactorModule,
    SocialSignInModule,
  ],
  providers: [HousekeepingService],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
