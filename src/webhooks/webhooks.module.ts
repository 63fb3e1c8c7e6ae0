import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';
import { WebhookOutbox } from './webhook-outbox.service.js';

/** Global so that any feature can announce a change in the transaction that makes it. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([WebhookDeliveryEntity])],
  providers: [WebhookOutbox, WebhookDeliveryWorker],
  exports: [WebhookOutbox],
})
export class WebhooksModule {}
