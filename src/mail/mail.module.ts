import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { MailDeliveryWorker } from './mail-delivery.worker.js';
import { MailOutbox } from './mail-outbox.service.js';
import { createMailTransport, MAIL_TRANSPORT } from './mail-transport.js';
import { OutboxGauges } from './outbox-gauges.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { PayloadCipher } from './payload-cipher.js';

@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessageEntity])],
  providers: [
    MailOutbox,
    MailDeliveryWorker,
    OutboxGauges,
    { provide: PayloadCipher, inject: [appConfig.KEY], useFactory: (config: AppConfigType) => new PayloadCipher(config.secret) },
    { provide: MAIL_TRANSPORT, inject: [appConfig.KEY], useFactory: (config: AppConfigType) => createMailTransport(config) },
  ],
  exports: [MailOutbox],
})
export class MailModule {}
