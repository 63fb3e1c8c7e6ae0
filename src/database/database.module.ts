import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { buildDataSourceOptions } from './database.options.js';
import { TransactionRunner } from './transaction-runner.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [appConfig.KEY],
      // Pending migrations are applied at start; a failure stops the service.
      useFactory: (config: AppConfigType) => ({
        ...buildDataSourceOptions(config),
        migrationsRun: true,
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [TransactionRunner],
  exports: [TransactionRunner],
})
export class DatabaseModule {}
