import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appConfig } from '../config/app.config.js';
import { DatabaseModule } from '../database/database.module.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * What `node dist/cli.js keys …` runs on: the service's configuration and
 * database module (so pending migrations are applied first, by one process
 * at a time, exactly as at the service's start) and the keys' own service.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig], ignoreEnvFile: true, cache: true }),
    DatabaseModule,
    TypeOrmModule.forFeature([ApiKeyEntity]),
  ],
  providers: [ApiKeysService],
})
export class KeysCliModule {}
