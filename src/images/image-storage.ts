import type { Readable } from 'node:stream';

/** Where image bytes live. The local folder is one backend; object storage could be another. */
export interface ImageStorage {
  save(name: string, data: Buffer): Promise<void>;
  /** The stored bytes and their size, or null when there is no such image. */
  open(name: string): Promise<{ stream: Readable; size: number } | null>;
  /** Removes the bytes; an image already gone is not an error (several instances may prune at once). */
  delete(name: string): Promise<void>;
}

export const IMAGE_STORAGE = Symbol('IMAGE_STORAGE');
