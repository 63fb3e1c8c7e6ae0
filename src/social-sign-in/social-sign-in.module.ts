import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { CodesModule } from '../codes/codes.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { SecondFactorModule } from '../second-factor/second-factor.module.js';
import { SignInProvidersModule } from '../sign-in-providers/sign-in-providers.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountLinking } from './account-linking.service.js';
import { IdentitiesController } from './identities.controller.js';
import { IdentityLinks } from './identity-links.service.js';
import { LoginCodeController } from './login-code.controller.js';
import { LoginCodeEntity } from './login-code.entity.js';
import { LoginCodeLogin } from './login-code-login.service.js';
import { LoginCodes } from './login-codes.service.js';
import { SignInController } from './sign-in.controller.js';
import { SignInFlows } from './sign-in-flows.service.js';
import { SocialSignInEntity } from './social-sign-in.entity.js';
import { SocialSignInService } from './social-sign-in.service.js';
import { Upstreams } from './upstreams.service.js';

/**
 * Signing in with another provider (51–55 but the provider list itself):
 * the flows under way (`social_sign_ins`) and the login codes they hand out
 * (`login_codes`), the linking rules over the accounts' and identities'
 * owners, the exchange of a login code through the password login's own
 * code path, and the identities of a signed-in account. The login pages
 * start sign-ins through it too, and take their answers back.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([SocialSignInEntity, LoginCodeEntity]),
    AuthModule,
    UsersModule,
    CodesModule,
    MailModule,
    PasskeysModule,
    SecondFactorModule,
    SignInProvidersModule,
    IdentitiesModule,
  ],
  controllers: [SignInController, LoginCodeController, IdentitiesController],
  providers: [Upstreams, SignInFlows, LoginCodes, AccountLinking, SocialSignInService, LoginCodeLogin, IdentityLinks],
  exports: [SignInFlows, LoginCodes, SocialSignInService, LoginCodeLogin],
})
export class SocialSignInModule {}
