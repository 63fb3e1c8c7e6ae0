import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SignInProvidersModule } from '../sign-in-providers/sign-in-providers.module.js';
import { IdentitiesService } from './identities.service.js';
import { IdentityEntity } from './identity.entity.js';
import { ProviderRemoval } from './provider-removal.service.js';

/**
 * Accounts of other providers linked to ours (`identities`). Signing in
 * with one, linking and unlinking are the social sign-in module's; removing
 * a provider removes its identities through here.
 */
@Module({
  imports: [TypeOrmModule.forFeature([IdentityEntity]), SignInProvidersModule],
  providers: [IdentitiesService, ProviderRemoval],
  exports: [IdentitiesService, ProviderRemoval],
})
export class IdentitiesModule {}
