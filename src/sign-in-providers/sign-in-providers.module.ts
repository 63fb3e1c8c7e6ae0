import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProviderSecrets } from './provider-secrets.js';
import { ProvidersController } from './providers.controller.js';
import { SignInProviderEntity } from './sign-in-provider.entity.js';
import { SignInProvidersService } from './sign-in-providers.service.js';

/**
 * The providers people may sign in with (`sign_in_providers`): added and
 * removed by operators (CLI, admin API), listed to anyone (51). The sign-in
 * itself is the social sign-in module's.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SignInProviderEntity])],
  controllers: [ProvidersController],
  providers: [SignInProvidersService, ProviderSecrets],
  exports: [SignInProvidersService],
})
export class SignInProvidersModule {}
