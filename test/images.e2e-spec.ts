import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';

const UPLOAD = '/one_auth/api/images';

function solid(format: 'png' | 'jpeg' | 'webp' | 'gif', width = 16, height = 8): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .toFormat(format)
    .toBuffer();
}

describe('images (endpoints 5 and 12)', () => {
  let t: TestApp;
  let auth: [string, string];
  beforeAll(async () => {
    t = await startTestApp({ MAX_IMAGE_BYTES: '200000' });
    const user = await createActiveUser(t);
    auth = [user.email, user.token];
  });
  afterAll(async () => {
    await t.close();
  });

  /** The names of the stored images, wherever this app keeps them. */
  async function storedNames(): Promise<string[]> {
    if (t.s3) return t.s3.objectNames();
    const folder = join(t.dataDir, 'images');
    return existsSync(folder) ? readdirSync(folder) : [];
  }

  /** GET an image URL of the service, body as bytes. */
  function fetchImage(url: string) {
    return t.http
      .get(new URL(url).pathname)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
  }

  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
  ] as const)('stores a %s under a server-made name and serves it with its real type', async (format, contentType) => {
    const upload = await t.http
      .post(UPLOAD)
      .auth(...auth)
      .attach('file', await solid(format), { filename: '../../evil.svg', contentType: 'image/svg+xml' })
      .expect(201);
    expect(upload.body).toEqual({
      url: expect.stringMatching(/^http:\/\/one-auth\.test\/one_auth\/images\/[0-9a-f]{32}\.(png|jpg|webp|gif)$/),
    });
    const name = new URL(upload.body.url).pathname.split('/').pop();
    expect(await storedNames()).toContain(name);
    if (t.s3) expect(existsSync(join(t.dataDir, 'images'))).toBe(false);
    const served = await fetchImage(upload.body.url);
    expect(served.headers['content-type']).toBe(contentType);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toBe('sandbox');
    expect(served.headers['cache-control']).toContain('max-age=31536000');
    expect(served.headers['content-length']).toBe(String((served.body as Buffer).length));
    const metadata = await sharp(served.body as Buffer).metadata();
    expect(metadata.format).toBe(format);
    expect([metadata.width, metadata.height]).toEqual([16, 8]);
  });

  it('re-encodes uploads: EXIF (with GPS) does not survive', async () => {
    const tagged = await sharp(await solid('jpeg'))
      .withExif({ IFD0: { Copyright: 'secret-owner' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .jpeg()
      .toBuffer();
    expect((await sharp(tagged).metadata()).exif).toBeDefined();
    const upload = await t.http
      .post(UPLOAD)
      .auth(...auth)
      .attach('file', tagged, 'photo.jpg')
      .expect(201);
    const served = await fetchImage(upload.body.url);
    const metadata = await sharp(served.body as Buffer).metadata();
    expect(metadata.exif).toBeUndefined();
    expect((served.body as Buffer).toString('latin1')).not.toContain('secret-owner');
  });

  it('answers 415 "Unsupported image type" for SVG and non-images, whatever their declared type', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    for (const [bytes, name, type] of [
      [svg, 'a.svg', 'image/svg+xml'],
      [svg, 'a.png', 'image/png'],
      [Buffer.from('GIF89a but not really'), 'a.gif', 'image/gif'],
      [Buffer.from('plain text'), 'a.txt', 'text/plain'],
    ] as const) {
      const response = await t.http
        .post(UPLOAD)
        .auth(...auth)
        .attach('file', bytes, { filename: name, contentType: type })
        .expect(415);
      expect(response.body).toEqual({ message: 'Unsupported image type' });
    }
  });

  it('answers 400 without a file', async () => {
    const response = await t.http
      .post(UPLOAD)
      .auth(...auth)
      .field('other', 'x')
      .expect(400);
    expect(response.body.message).toBe('file is required');
  });

  it('answers 413 over MAX_IMAGE_BYTES', async () => {
    const response = await t.http
      .post(UPLOAD)
      .auth(...auth)
      .attach('file', Buffer.alloc(300_000, 1), 'big.png')
      .expect(413);
    expect(response.body).toEqual({ message: expect.any(String) });
    // Uploads are spooled to files while they arrive: none is left behind, accepted or refused.
    const spool = join(t.dataDir, 'uploads');
    expect(existsSync(spool) ? readdirSync(spool) : []).toEqual([]);
  });

  it('answers 415 for a JSON body', async () => {
    const response = await t.http
      .post(UPLOAD)
      .auth(...auth)
      .send({ file: 'x' })
      .expect(415);
    expect(response.body.message).toMatch(/^Unsupported media type/);
  });

  it('answers 401 with the token message without a token', async () => {
    const response = await t.http
      .post(UPLOAD)
      .attach('file', await solid('png'), 'a.png')
      .expect(401);
    expect(response.body).toEqual({ message: 'Email or token is not correct' });
  });

  it('answers 404 for unknown or malformed image names', async () => {
    for (const name of ['0123456789abcdef0123456789abcdef.png', '..%2f..%2fsecret', 'x.svg']) {
      const response = await t.http.get(`/one_auth/images/${name}`).expect(404);
      expect(response.body).toEqual({ message: expect.any(String) });
    }
  });
});
