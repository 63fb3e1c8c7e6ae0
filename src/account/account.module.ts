import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { ImagesModule } from '../images/images.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UserEntity } from '../users/user.entity.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountExportService } from './account-export.service.js';
import { EmailChangeService } from './email-change.service.js';
import { PasswordChangeService } from './password-change.service.js';

/** What an owner does with their account: password and email changes, activity, export, deletion. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), AuthModule, UsersModule, MailModule, ImagesModule, SessionsModule, ProfileModule],
  controllers: [AccountController],
  providers: [PasswordChangeService, EmailChangeService, AccountDeletionService, AccountExportService],
})
export class AccountModule {}
