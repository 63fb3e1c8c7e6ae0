import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { UsersModule } from '../users/users.module.js';
import { PendingLoginEntity } from './pending-login.entity.js';
import { PendingLogins } from './pending-logins.service.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { SecondFactorPolicy } from './second-factor-policy.service.js';
import { SecondFactorStore } from './second-factor-store.service.js';
import { SecondStepMethods } from './second-step-methods.js';
import { StepUp } from './step-up.service.js';
import { TotpController } from './totp.controller.js';
import { TotpFactorEntity } from './totp-factor.entity.js';
import { TotpSecrets } from './totp-secrets.js';
import { TotpSettingsService } from './totp-settings.service.js';
import { TwoStepLoginController } from './two-step-login.controller.js';
import { TwoStepLoginService } from './two-step-login.service.js';

/**
 * Two-step login: the authenticator app (`totp_factors`), recovery codes
 * (`recovery_codes`) and logins waiting for their second step
 * (`pending_logins`), and logging in itself. Other modules ask for a code
 * where they take the password through SecondFactorPolicy, and read or
 * erase an account's factor through SecondFactorStore; a module that offers
 * another second step registers it with SecondStepMethods and finishes
 * logins through PendingLogins; a module that offers another first step (a
 * sign-in with another provider) logs in through TwoStepLoginService, so
 * that the second step is asked for exactly as after a password.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TotpFactorEntity, RecoveryCodeEntity, PendingLoginEntity]),
    AuthModule,
    UsersModule,
    ProfileModule,
    MailModule,
  ],
  controllers: [TwoStepLoginController, TotpController],
  providers: [
    SecondFactorStore,
    SecondFactorPolicy,
    PendingLogins,
    SecondStepMethods,
    TotpSecrets,
    TotpSettingsService,
    TwoStepLoginService,
    StepUp,
  ],
  exports: [SecondFactorStore, SecondFactorPolicy, PendingLogins, SecondStepMethods, TwoStepLoginService, StepUp],
})
export class SecondFactorModule {}
