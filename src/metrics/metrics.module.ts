import { Global, Module } from '@nestjs/common';
import { PoolGauges } from './pool-gauges.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';

/** Global: every feature records into the same registry. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, PoolGauges],
  exports: [Metrics],
})
export class MetricsModule {}
