import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { IntrospectionController } from './introspection.controller.js';

/** RFC 7662 introspection of access tokens, for relying services holding an API key; owns no table. */
@Module({
  imports: [ApiKeysModule, AuthModule],
  controllers: [IntrospectionController],
})
export class IntrospectionModule {}
