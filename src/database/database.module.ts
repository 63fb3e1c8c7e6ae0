import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { buildDataSourceOptions } from './database.options.js';
import { runMigrationsExclusively } from './exclusive-migrations.js';
import { CausalReads } from './causal-reads.js';
import { TransactionRunner } from './transaction-runner.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [appConfig.KEY],
      // Pending migrations are applied at start, by one instance at a time; a failure stops the service.
      useFactory: (config: AppConfigType) => ({
        ...buildDataSourceOptions(config),
        retryAttempts: 0,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        try {
          await runMigrationsExclusively(dataSource);
        } catch (error) {
          await dataSource.destroy().catch(() => undefined);
          throw error;
        }
        return dataSource;
      },
    }),
  ],
  providers: [TransactionRunner, CausalReads],
  exports: [TransactionRunner, CausalReads],
})
export class DatabaseModule {}
