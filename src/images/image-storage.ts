import type { Readable } from 'node:stream';

/** Where image bytes live: the local folder or a bucket of an S3-compatible store. */
export interface ImageStorage {
  /** Stores the whole image or nothing: a reader never sees part of it. */
  save(name: string, data: Buffer): Promise<void>;
  /** The stored bytes and their size (when the store tells it), or null when there is no such image. */
  open(name: string): Promise<{ stream: Readable; size: number | undefined } | null>;
  /** Removes the image; removing one that is not there is not an error. */
  delete(name: string): Promise<void>;
}

/** The store did not answer, or not in time: the caller may retry later. */
export class ImageStorageUnavailableError extends Error {
  override name = 'ImageStorageUnavailableError';
}

export const IMAGE_STORAGE = Symbol('IMAGE_STORAGE');
