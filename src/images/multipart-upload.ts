import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import busboy from 'busboy';

export interface UploadOptions {
  field: string;
  maxBytes: number;
  /** Where the upload is spooled until it is processed. */
  directory: string;
}

export const MALFORMED_UPLOAD_MESSAGE = 'Malformed multipart body';

/**
 * Receives one file field of a multipart/form-data request straight from the
 * request stream, on any HTTP platform (busboy is the parser multer is built
 * on), into a temporary file: memory stays flat however large and however
 * many the uploads. Past `maxBytes` the upload is refused with 413 and its
 * file removed. Resolves with the file's path (the caller removes it), or
 * undefined when the field is absent.
 */
export async function receiveMultipartFile(
  request: IncomingMessage,
  { field, maxBytes, directory }: UploadOptions,
): Promise<string | undefined> {
  await mkdir(directory, { recursive: true });
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: maxBytes, fields: 10, parts: 12 } });
    } catch {
      reject(new BadRequestException(MALFORMED_UPLOAD_MESSAGE));
      return;
    }
    let saving: Promise<string | undefined> = Promise.resolve(undefined);
    let failure: Error | undefined;
    const settle = () => {
      saving.then(
        async (path) => {
          if (!failure) return resolve(path);
          if (path) await rm(path, { force: true });
          reject(failure);
        },
        () => reject(failure ?? new BadRequestException(MALFORMED_UPLOAD_MESSAGE)),
      );
    };
    parser.on('file', (name, stream) => {
      if (name !== field) {
        stream.resume();
        return;
      }
      const path = join(directory, `${randomBytes(16).toString('hex')}.part`);
      stream.on('limit', () => {
        failure ??= new PayloadTooLargeException(`File too large (at most ${maxBytes} bytes)`);
      });
      saving = pipeline(stream, createWriteStream(path, { mode: 0o600 })).then(
        () => path,
        async (error: unknown) => {
          await rm(path, { force: true });
          throw error;
        },
      );
    });
    parser.on('error', () => {
      failure ??= new BadRequestException(MALFORMED_UPLOAD_MESSAGE);
      settle();
    });
    parser.on('close', settle);
    request.pipe(parser);
  });
}
