import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module.js';
import { UsersModule } from '../users/users.module.js';
import { ValidationCodeEntity } from './validation-code.entity.js';
import { ValidationCodesService } from './validation-codes.service.js';

/** Validation codes (`validation_codes`): issued, mailed, checked and used for registration, reset and email change. */
@Module({
  imports: [TypeOrmModule.forFeature([ValidationCodeEntity]), UsersModule, MailModule],
  providers: [ValidationCodesService],
  exports: [ValidationCodesService],
})
export class CodesModule {}
