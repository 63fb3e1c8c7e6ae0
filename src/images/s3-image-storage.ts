import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@nestjs/common';
import type { ImageStorageConfig } from '../config/app-config.js';
import { contentTypeOfName } from './image-processor.js';
import { type ImageStorage, ImageStorageUnavailableError } from './image-storage.js';

type S3Config = Extract<ImageStorageConfig, { type: 's3' }>;

// An outage must answer 503 within the time the database gets (5 s), not hang
// a request: each attempt is bounded, and so are all attempts together.
const CONNECT_TIMEOUT_MS = 1_000;
const ATTEMPT_TIMEOUT_MS = 2_500;
const MAX_ATTEMPTS = 3;
const DEADLINE_MS = 5_000;
// While an image streams out to a client, a store that goes silent this long is given up on.
const IDLE_TIMEOUT_MS = 10_000;

/**
 * Images as objects in one bucket of any S3-compatible store (AWS S3, MinIO,
 * Cloudflare R2, Ceph), under their server-made names. A PUT is atomic: an
 * object is either whole or absent, never half written.
 */
export class S3ImageStorage implements ImageStorage {
  private readonly logger = new Logger('ImageStorage');
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(config: S3Config) {
    this.bucket = config.bucket;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        requestTimeout: ATTEMPT_TIMEOUT_MS,
        throwOnRequestTimeout: true,
        socketTimeout: IDLE_TIMEOUT_MS,
      },
      // The SDK's default extra checksums (CRC32 on every request) are not
      // understood by every S3-compatible store: send them only where S3 requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async save(name: string, data: Buffer): Promise<void> {
    await this.send('PutObject', (abortSignal) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: name,
          Body: data,
          ContentLength: data.length,
          ContentType: contentTypeOfName(name),
          // Names are never reused, so a CDN in front of the bucket may cache forever.
          CacheControl: 'public, max-age=31536000, immutable',
        }),
        { abortSignal },
      ),
    );
  }

  async open(name: string): Promise<{ stream: Readable; size: number | undefined } | null> {
    const response = await this.send('GetObject', async (abortSignal) => {
      try {
        return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: name }), { abortSignal });
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return null;
        throw error;
      }
    });
    if (!response) return null;
    return { stream: response.Body as Readable, size: response.ContentLength };
  }

  async delete(name: string): Promise<void> {
    await this.send('DeleteObject', (abortSignal) =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: name }), { abortSignal }),
    );
  }

  /**
   * Runs one store operation under the overall deadline. The deadline covers
   * the answer's headers only: a body being streamed out is governed by the
   * idle timeout. Whatever goes wrong (network, timeout, 5xx, refused
   * credentials, missing bucket) means the store cannot be used right now.
   */
  private async send<T>(operation: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), DEADLINE_MS);
    try {
      return await run(controller.signal);
    } catch (error) {
      const { name, message } = error as Error;
      this.logger.warn(`${operation} on bucket ${this.bucket} failed: ${name}: ${message}`);
      throw new ImageStorageUnavailableError(`${operation} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
