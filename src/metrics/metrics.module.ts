import { Global, Module } from '@nestjs/common';
import { DatabaseCollectors } from './database-collectors.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';

/** Global: every feature records into the same registry. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, DatabaseCollectors],
  exports: [Metrics],
})
export class MetricsModule {}
