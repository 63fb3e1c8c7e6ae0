// The bodies of the upload scenarios: JPEGs of noise (nothing for the encoder
// to squeeze), each in a multipart form as a client sends it.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

function multipart(file, name) {
  const boundary = `----onebench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  return { body: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

async function noiseJpeg(width, height, quality) {
  const raw = randomBytes(width * height * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** `photo`: about 60 KB, the size of an avatar (S5); `bigPhoto`: a few MB, for the memory check. */
export async function uploadBodies() {
  return {
    photo: multipart(await noiseJpeg(260, 260, 92), 'photo.jpg'),
    bigPhoto: multipart(await noiseJpeg(1400, 1400, 100), 'big.jpg'),
  };
}
