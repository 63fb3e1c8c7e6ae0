import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { AccessTokenEntity } from './access-token.entity.js';
import { AccessTokensController } from './access-tokens.controller.js';
import { AccessTokensService } from './access-tokens.service.js';
import { AccountSignOuts } from './account-sign-outs.js';
import { AuthService } from './auth.service.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { PasswordStrategy } from './strategies/password.strategy.js';
import { TokenStrategy } from './strategies/token.strategy.js';
import { ValidationsController } from './validations.controller.js';

/**
 * Access tokens (`access_tokens`) and everything that issues, checks or
 * revokes them: the password check, logout, sessions, the guards. Logging in
 * itself (GET /access_tokens) is served by the second-factor module, which
 * decides whether a password is enough.
 */
@Module({
  imports: [PassportModule.register({ session: false }), TypeOrmModule.forFeature([AccessTokenEntity]), UsersModule],
  controllers: [AccessTokensController, ValidationsController, SessionsController],
  providers: [AccessTokensService, SessionsService, AuthService, PasswordStrategy, TokenStrategy, AccountSignOuts],
  exports: [AccessTokensService, AuthService, SessionsService, AccountSignOuts],
})
export class AuthModule {}
