import sharp from 'sharp';

/** The formats accepted, as sharp names them, with what they are served as. */
export const IMAGE_FORMATS = {
  png: { extension: 'png', contentType: 'image/png' },
  jpeg: { extension: 'jpg', contentType: 'image/jpeg' },
  webp: { extension: 'webp', contentType: 'image/webp' },
  gif: { extension: 'gif', contentType: 'image/gif' },
} as const;
export type ImageFormat = keyof typeof IMAGE_FORMATS;

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
export async function processImage(input: Buffer, maxPixels: number): Promise<ProcessedImage> {
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
