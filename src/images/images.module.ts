import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { IMAGE_STORAGE } from './image-storage.js';
import { ImagesController } from './images.controller.js';
import { ImagesService } from './images.service.js';
import { LocalImageStorage } from './local-image-storage.js';

@Module({
  imports: [AuthModule],
  controllers: [ImagesController],
  providers: [
    ImagesService,
    {
      provide: IMAGE_STORAGE,
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => new LocalImageStorage(join(config.dataDir, 'images')),
    },
  ],
  exports: [IMAGE_STORAGE],
})
export class ImagesModule {}
