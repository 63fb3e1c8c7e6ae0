import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AuthModule } from '../auth/auth.module.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { IMAGE_STORAGE } from './image-storage.js';
import { ImagesController } from './images.controller.js';
import { ImagesService } from './images.service.js';
import { LocalImageStorage } from './local-image-storage.js';

@Module({
  imports: [
    AuthModule,
    // Uploads are held in memory (bounded by MAX_IMAGE_BYTES) until re-encoded.
    MulterModule.registerAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => ({ limits: { fileSize: config.maxImageBytes, files: 1, fields: 10, parts: 12 } }),
    }),
  ],
  controllers: [ImagesController],
  providers: [
    ImagesService,
    {
      provide: IMAGE_STORAGE,
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => new LocalImageStorage(join(config.dataDir, 'images')),
    },
  ],
})
export class ImagesModule {}
