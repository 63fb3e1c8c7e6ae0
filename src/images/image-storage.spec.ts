import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3TestServer } from '../../test/helpers/s3-server.js';
import { type ImageStorage, ImageStorageUnavailableError } from './image-storage.js';
import { LocalImageStorage } from './local-image-storage.js';
import { S3ImageStorage } from './s3-image-storage.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const name = (n: number) => `${String(n).padStart(32, '0')}.png`;

/** What every backend must do the same way. */
function behavesAsImageStorage(storage: () => ImageStorage) {
  it('gives back exactly the bytes it stored, with their size', async () => {
    const data = Buffer.from('not really a png, but bytes are bytes');
    await storage().save(name(1), data);
    const stored = await storage().open(name(1));
    expect(stored?.size).toBe(data.length);
    expect(await readAll(stored!.stream)).toEqual(data);
  });

  it('answers null for an image it does not hold', async () => {
    expect(await storage().open(name(2))).toBeNull();
  });

  it('deletes an image, and deleting a missing one is no error', async () => {
    await storage().save(name(3), Buffer.from('x'));
    await storage().delete(name(3));
    expect(await storage().open(name(3))).toBeNull();
    await expect(storage().delete(name(3))).resolves.toBeUndefined();
  });
}

describe('LocalImageStorage', () => {
  const folder = mkdtempSync(join(tmpdir(), 'one_auth-images-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  behavesAsImageStorage(() => new LocalImageStorage(folder));
});

describe('S3ImageStorage on an S3-compatible server', () => {
  let s3: S3TestServer;
  let storage: S3ImageStorage;
  beforeAll(async () => {
    s3 = await S3TestServer.start();
    const env = s3.env();
    storage = new S3ImageStorage({
      type: 's3',
      bucket: env.S3_BUCKET,
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: true,
    });
  });
  afterAll(() => s3?.dispose());
  behavesAsImageStorage(() => storage);

  it('reports a store that is down as unavailable, and works again once it is back', async () => {
    await storage.save(name(4), Buffer.from('kept'));
    await s3.stop();
    await expect(storage.open(name(4))).rejects.toBeInstanceOf(ImageStorageUnavailableError);
    await expect(storage.save(name(5), Buffer.from('y'))).rejects.toBeInstanceOf(ImageStorageUnavailableError);
    await expect(storage.delete(name(4))).rejects.toBeInstanceOf(ImageStorageUnavailableError);
    await s3.resume();
    expect(await readAll((await storage.open(name(4)))!.stream)).toEqual(Buffer.from('kept'));
    expect(await s3.objectNames()).not.toContain(name(5));
  });

  it('reports a bucket that does not exist as unavailable, not as a missing image', async () => {
    const misconfigured = new S3ImageStorage({
      type: 's3',
      bucket: 'no-such-bucket',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
    });
    await expect(misconfigured.open(name(1))).rejects.toBeInstanceOf(ImageStorageUnavailableError);
  });
});
