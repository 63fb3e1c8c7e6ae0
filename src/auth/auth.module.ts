import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProfileModule } from '../profile/profile.module.js';
import { UserEntity } from '../users/user.entity.js';
import { AccessTokensController } from './access-tokens.controller.js';
import { AccessTokensService } from './access-tokens.service.js';
import { AuthService } from './auth.service.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordStrategy } from './strategies/password.strategy.js';
import { ValidationsController } from './validations.controller.js';

@Module({
  imports: [PassportModule.register({ session: false }), TypeOrmModule.forFeature([UserEntity]), ProfileModule],
  controllers: [AccessTokensController, ValidationsController],
  providers: [AccessTokensService, AuthService, PasswordHasher, PasswordStrategy],
  exports: [AccessTokensService, AuthService, PasswordHasher],
})
export class AuthModule {}
