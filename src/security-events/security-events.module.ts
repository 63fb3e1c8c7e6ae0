import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecurityEventEntity } from './security-event.entity.js';
import { SecurityEvents } from './security-events.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([SecurityEventEntity])],
  providers: [SecurityEvents],
  exports: [SecurityEvents],
})
export class SecurityEventsModule {}
