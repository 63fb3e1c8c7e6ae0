import type { IncomingMessage } from 'node:http';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import busboy from 'busboy';

export interface UploadLimits {
  field: string;
  maxBytes: number;
}

/**
 * Reads one file field of a multipart/form-data request straight from the
 * request stream, on any HTTP platform (busboy is the parser multer is built
 * on). At most `maxBytes` are buffered: past that the upload is refused with
 * 413 while the rest of the stream is drained. Undefined when the field is
 * absent.
 */
export function readMultipartFile(request: IncomingMessage, { field, maxBytes }: UploadLimits): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: maxBytes, fields: 10, parts: 12 } });
    } catch {
      reject(new BadRequestException('Malformed multipart body'));
      return;
    }
    let file: Buffer | undefined;
    let failure: Error | undefined;
    parser.on('file', (name, stream) => {
      if (name !== field) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failure ??= new PayloadTooLargeException(`File too large (at most ${maxBytes} bytes)`);
        chunks.length = 0;
      });
      stream.on('end', () => {
        if (!failure) file = Buffer.concat(chunks);
      });
    });
    parser.on('error', () => reject(failure ?? new BadRequestException('Malformed multipart body')));
    parser.on('close', () => (failure ? reject(failure) : resolve(file)));
    request.pipe(parser);
  });
}
