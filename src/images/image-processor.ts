import pLimit from 'p-limit';

/** The formats accepted, as sharp names them, with what they are served as. */
export const IMAGE_FORMATS = {
  png: { extension: 'png', contentType: 'image/png' },
  jpeg: { extension: 'jpg', contentType: 'image/jpeg' },
  webp: { extension: 'webp', contentType: 'image/webp' },
  gif: { extension: 'gif', contentType: 'image/gif' },
} as const;
export type ImageFormat = keyof typeof IMAGE_FORMATS;

const TYPE_BY_EXTENSION: Record<string, string> = Object.fromEntries(
  Object.values(IMAGE_FORMATS).map(({ extension, contentType }) => [extension, contentType]),
);

/** The Content-Type of a stored image, from the extension of its server-made name. */
export function contentTypeOfName(name: string): string | undefined {
  return TYPE_BY_EXTENSION[name.slice(name.lastIndexOf('.') + 1)];
}

/**
 * Decoding holds the whole bitmap in memory: however many uploads arrive at
 * once, only this many are decoded at a time, which bounds peak memory.
 */
const decoding = pLimit(2);

// libvips (sharp) is loaded on the first upload, not at start, and keeps no
// cache of decoded images between uploads.
let sharpModule: Promise<typeof import('sharp')> | undefined;
async function loadSharp() {
  sharpModule ??= import('sharp').then((module) => {
    module.default.cache(false);
    return module;
  });
  return (await sharpModule).default;
}

export class UnsupportedImageError extends Error {}
export class TooManyPixelsError extends Error {}

export interface ProcessedImage {
  data: Buffer;
  format: ImageFormat;
}

/**
 * Recognises the format from the bytes alone (never the declared type or
 * name), then decodes and re-encodes: turned upright by its EXIF
 * orientation, with every piece of metadata (EXIF, GPS, XMP, ICC) dropped.
 * Images over `maxPixels` (all frames counted) are refused from their header,
 * before any decoding: a small file can declare a huge canvas.
 */
export function processImage(path: string, maxPixels: number): Promise<ProcessedImage> {
  return decoding(() => decodeAndEncode(path, maxPixels));
}

async function decodeAndEncode(input: string, maxPixels: number): Promise<ProcessedImage> {
  const sharp = await loadSharp();
  let format: string | undefined;
  let pixels: number;
  try {
    const metadata = await sharp(input, { limitInputPixels: false }).metadata();
    format = metadata.format;
    pixels = (metadata.width ?? 0) * (metadata.pageHeight ?? metadata.height ?? 0) * (metadata.pages ?? 1);
  } catch {
    throw new UnsupportedImageError('unreadable image');
  }
  if (!format || !(format in IMAGE_FORMATS)) throw new UnsupportedImageError(`format ${format}`);
  if (pixels > maxPixels) throw new TooManyPixelsError(`${pixels} pixels`);
  try {
    const data = await sharp(input, {
      limitInputPixels: maxPixels,
      animated: format === 'gif' || format === 'webp',
      failOn: 'error',
    })
      .rotate()
      .toFormat(format as ImageFormat)
      .toBuffer();
    return { data, format: format as ImageFormat };
  } catch {
    throw new UnsupportedImageError('undecodable image');
  }
}
