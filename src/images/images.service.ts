import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import {
  BadRequestException,
  Inject,
  Injectable,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { ImageEntity } from './image.entity.js';
import { contentTypeOfName, IMAGE_FORMATS, processImage, TooManyPixelsError, UnsupportedImageError } from './image-processor.js';
import { IMAGE_STORAGE, type ImageStorage, ImageStorageUnavailableError } from './image-storage.js';
import { receiveMultipartFile } from './multipart-upload.js';

export const UNSUPPORTED_IMAGE_MESSAGE = 'Unsupported image type';
export const STORAGE_UNAVAILABLE_MESSAGE = 'Image storage unavailable, please retry later';
const NAME_PATTERN = /^[0-9a-f]{32}\.(png|jpg|webp|gif)$/;

@Injectable()
export class ImagesService {
  constructor(
    @Inject(IMAGE_STORAGE) private readonly storage: ImageStorage,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Receives the multipart field `file` of an upload request and stores it. */
  async uploadFrom(request: IncomingMessage, userId: number): Promise<{ url: string }> {
    const path = await receiveMultipartFile(request, {
      field: 'file',
      maxBytes: this.config.maxImageBytes,
      directory: join(this.config.dataDir, 'uploads'),
    });
    try {
      if (!path || (await stat(path)).size === 0) {
        throw new BadRequestException({ message: 'file is required', errors: [{ field: 'file', message: 'file is required' }] });
      }
      return await this.upload(userId, path);
    } finally {
      if (path) await rm(path, { force: true });
    }
  }

  /** Checks, cleans and stores the image held in the file at `path`; answers its public URL. */
  async upload(userId: number, path: string): Promise<{ url: string }> {
    const image = await processImage(path, this.config.maxImagePixels).catch((error: unknown) => {
      if (error instanceof TooManyPixelsError) throw new PayloadTooLargeException('Image has too many pixels');
      if (error instanceof UnsupportedImageError) throw new UnsupportedMediaTypeException(UNSUPPORTED_IMAGE_MESSAGE);
      throw error;
    });
    const { extension, contentType } = IMAGE_FORMATS[image.format];
    const name = `${randomBytes(16).toString('hex')}.${extension}`;
    // The bytes first, then the row: a crash in between leaves an object that
    // no row names and no client was given its URL, never a row without bytes.
    await whileAvailable(this.storage.save(name, image.data));
    try {
      await this.transactions.run((tx) =>
        tx.insert(ImageEntity, { name, userId, contentType, bytes: image.data.length, createdAt: Date.now() }),
      );
    } catch (error) {
      await this.removeIfUnrecorded(name);
      throw error;
    }
    return { url: `${this.config.publicUrl}/one_auth/images/${name}` };
  }

  /**
   * After a failed insert, removes the bytes only once the row is known to be
   * absent: a commit whose answer was lost may still have written it.
   */
  private async removeIfUnrecorded(name: string): Promise<void> {
    try {
      const recorded = await this.transactions.run((tx) => tx.existsBy(ImageEntity, { name }));
      if (!recorded) await this.storage.delete(name);
    } catch {
      // The database or the store is out: an unnamed object is harmless, and housekeeping's to remove.
    }
  }

  async open(name: string) {
    const stored = NAME_PATTERN.test(name) ? await whileAvailable(this.storage.open(name)) : null;
    if (!stored) throw new NotFoundException('Image not found');
    return { ...stored, contentType: contentTypeOfName(name) };
  }
}

/** A store that does not answer is an outage (503, retry later), not a failure of ours. */
async function whileAvailable<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof ImageStorageUnavailableError) throw new ServiceUnavailableException(STORAGE_UNAVAILABLE_MESSAGE);
    throw error;
  }
}
