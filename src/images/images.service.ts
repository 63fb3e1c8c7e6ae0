import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import type { EntityManager } from 'typeorm';
import type { PruneCutoffs, PruneTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { ProfileService } from '../profile/profile.service.js';
import { type AfterErasure, type ErasedAccount, type ErasesAccountData, type ExportsAccountData, isoTime } from '../users/account-data.js';
import type { ExportedImageDto } from './dto/exported-image.dto.js';
import { ImageEntity } from './image.entity.js';
import { contentTypeOfName, IMAGE_FORMATS, processImage, TooManyPixelsError, UnsupportedImageError } from './image-processor.js';
import { IMAGE_STORAGE, type ImageStorage, ImageStorageUnavailableError } from './image-storage.js';
import { receiveMultipartFile } from './multipart-upload.js';
import { removeOrphanImages } from './orphan-images.js';

export const UNSUPPORTED_IMAGE_MESSAGE = 'Unsupported image type';
export const STORAGE_UNAVAILABLE_MESSAGE = 'Image storage unavailable, please retry later';
export const IMAGE_NOT_FOUND_MESSAGE = 'Image not found';
const NAME_PATTERN = /^[0-9a-f]{32}\.(png|jpg|webp|gif)$/;

/** The only code that writes `images`, and that stores, serves and removes their bytes. */
@Injectable()
export class ImagesService implements ErasesAccountData, ExportsAccountData<{ images: ExportedImageDto[] }> {
  private readonly logger = new Logger('Images');

  constructor(
    @Inject(IMAGE_STORAGE) private readonly storage: ImageStorage,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly profiles: ProfileService,
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
    return { url: this.urlOf(name) };
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

  /** The rows go in the caller's transaction; the bytes once it has committed (already unreachable by then). */
  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<AfterErasure> {
    const names = (await tx.find(ImageEntity, { where: { userId }, select: { id: true, name: true } })).map((image) => image.name);
    await tx.delete(ImageEntity, { userId });
    return async () => {
      for (const name of names) {
        // A failure leaves bytes no one can name: logged, and left.
        await this.storage
          .delete(name)
          .catch((error: Error) => this.logger.warn(`image ${name} not removed from storage: ${error.message}`));
      }
    };
  }

  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<{ images: ExportedImageDto[] }> {
    const images = await tx.find(ImageEntity, { where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return {
      images: images.map((image) => ({
        url: this.urlOf(image.name),
        content_type: image.contentType,
        bytes: image.bytes,
        created_at: isoTime(image.createdAt),
      })),
    };
  }

  /** Images no profile points to, past their grace period: rows and bytes. */
  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    const dataSource = this.transactions.dataSource;
    return [
      {
        kind: 'images',
        run: (stopped) =>
          removeOrphanImages(dataSource, this.transactions, this.storage, this.profiles, cutoffs.imagesUploadedBefore, stopped),
      },
    ];
  }

  private urlOf(name: string): string {
    return `${this.config.publicUrl}/one_auth/images/${name}`;
  }

  async open(name: string) {
    const stored = NAME_PATTERN.test(name) ? await whileAvailable(this.storage.open(name)) : null;
    if (!stored) throw new NotFoundException(IMAGE_NOT_FOUND_MESSAGE);
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
