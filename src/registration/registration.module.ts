import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SecondFactorModule } from '../second-factor/second-factor.module.js';
import { CodesModule } from '../codes/codes.module.js';
import { MailModule } from '../mail/mail.module.js';
import { UsersModule } from '../users/users.module.js';
import { RegistrationController } from './registration.controller.js';
import { RegistrationService } from './registration.service.js';
import { ValidationCodesController } from './validation-codes.controller.js';

/** Sign-up, activation and password reset with a mailed code (`/user`, `/validation_code`, and the login pages' own); owns no table. */
@Module({
  imports: [UsersModule, CodesModule, AuthModule, MailModule, SecondFactorModule],
  controllers: [RegistrationController, ValidationCodesController],
  providers: [RegistrationService],
  exports: [RegistrationService],
})
export class RegistrationModule {}
