import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { SecondFactorModule } from '../second-factor/second-factor.module.js';
import { SecondStepMethods } from '../second-factor/second-step-methods.js';
import { UsersModule } from '../users/users.module.js';
import { PasskeyChallengeEntity } from './passkey-challenge.entity.js';
import { PasskeyEntity } from './passkey.entity.js';
import { PasskeyAuthentication } from './passkey-authentication.service.js';
import { PasskeyChallenges } from './passkey-challenges.service.js';
import { PasskeyRegistration } from './passkey-registration.service.js';
import { PasskeySignIn } from './passkey-sign-in.service.js';
import { PasskeySignInController } from './passkey-sign-in.controller.js';
import { PasskeyStepUp } from './passkey-step-up.service.js';
import { PasskeysController } from './passkeys.controller.js';
import { PasskeysService } from './passkeys.service.js';

/**
 * Passkeys (`passkeys`) and the challenges of WebAuthn ceremonies under way
 * (`passkey_challenges`): adding, listing and removing them, and signing in
 * with one. PasskeyAuthentication proves a passkey for any caller (a
 * second step of a login too); PasskeysService answers whether an account
 * has one. A passkey is also a second step of a two-step login: offered
 * in the login's methods when the account has one, finished through the
 * second-factor module's pending logins.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([PasskeyEntity, PasskeyChallengeEntity]),
    AuthModule,
    UsersModule,
    ProfileModule,
    MailModule,
    SecondFactorModule,
  ],
  controllers: [PasskeysController, PasskeySignInController],
  providers: [PasskeysService, PasskeyChallenges, PasskeyRegistration, PasskeyStepUp, PasskeyAuthentication, PasskeySignIn],
  exports: [PasskeysService, PasskeyAuthentication, PasskeySignIn],
})
export class PasskeysModule implements OnModuleInit {
  constructor(
    private readonly methods: SecondStepMethods,
    private readonly passkeys: PasskeysService,
  ) {}

  onModuleInit(): void {
    this.methods.register({ name: 'passkey', availableFor: (userId) => this.passkeys.hasPasskey(userId) });
  }
}
