import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { IMAGE_STORAGE, type ImageStorage } from './image-storage.js';
import { ImagesController } from './images.controller.js';
import { ImagesService } from './images.service.js';
import { LocalImageStorage } from './local-image-storage.js';

@Module({
  imports: [AuthModule, ProfileModule],
  controllers: [ImagesController],
  providers: [
    ImagesService,
    {
      provide: IMAGE_STORAGE,
      inject: [appConfig.KEY],
      useFactory: async (config: AppConfigType): Promise<ImageStorage> => {
        const storage = config.imageStorage;
        if (storage.type === 'local') return new LocalImageStorage(join(config.dataDir, 'images'));
        // The AWS SDK is loaded only by the instances that use it.
        const { S3ImageStorage } = await import('./s3-image-storage.js');
        return new S3ImageStorage(storage);
      },
    },
  ],
  exports: [ImagesService],
})
export class ImagesModule {}
