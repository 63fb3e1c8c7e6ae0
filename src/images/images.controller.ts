import type { IncomingMessage } from 'node:http';
import { Controller, Get, Header, HttpCode, Param, Post, Req, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { MULTIPART_ONLY_MESSAGE } from '../http/body-type.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { ImageUploadDto, ImageUrlDto } from './dto/upload.dto.js';
import { IMAGE_NOT_FOUND_MESSAGE, ImagesService, STORAGE_UNAVAILABLE_MESSAGE, UNSUPPORTED_IMAGE_MESSAGE } from './images.service.js';
import { MALFORMED_UPLOAD_MESSAGE } from './multipart-upload.js';

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
const IMAGE_BYTES = { schema: { type: 'string', format: 'binary' } } as const;

@ApiTag('images')
@Controller()
export class ImagesController {
  constructor(private readonly images: ImagesService) {}

  @Post('api/images')
  @HttpCode(201)
  @TokenAuth()
  @ApiOperation({ summary: 'Upload an image (multipart field "file"); answers its public URL' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImageUploadDto })
  @ApiCreatedResponse({ type: ImageUrlDto })
  @ApiErrorResponse(400, 'No `file` part, or a broken multipart body', [
    { message: 'file is required', errors: [{ field: 'file', message: 'file is required' }] },
    MALFORMED_UPLOAD_MESSAGE,
  ])
  @ApiErrorResponse(413, 'The file is over MAX_IMAGE_BYTES, or the image over MAX_IMAGE_PIXELS', [
    'File too large (at most 5242880 bytes)',
    'Image has too many pixels',
  ])
  @ApiErrorResponse(415, 'Not multipart/form-data, or not a PNG, JPEG, WebP or GIF image', [
    MULTIPART_ONLY_MESSAGE,
    UNSUPPORTED_IMAGE_MESSAGE,
  ])
  @ApiErrorResponse(503, 'The image store does not answer; retry later', [STORAGE_UNAVAILABLE_MESSAGE])
  upload(@Principal() principal: TokenPrincipal, @Req() request: IncomingMessage): Promise<ImageUrlDto> {
    return this.images.uploadFrom(request, principal.user.id);
  }

  @Get('images/:name')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Content-Security-Policy', 'sandbox')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  @ApiOperation({ summary: 'An uploaded image' })
  @ApiOkResponse({
    description: 'The image bytes, with their real Content-Type',
    content: Object.fromEntries(IMAGE_TYPES.map((type) => [type, IMAGE_BYTES])),
    headers: {
      'Cache-Control': { schema: { type: 'string', example: 'public, max-age=31536000, immutable' } },
      'X-Content-Type-Options': { schema: { type: 'string', example: 'nosniff' } },
      'Content-Security-Policy': { schema: { type: 'string', example: 'sandbox' } },
    },
  })
  @ApiErrorResponse(404, 'No image of that name', [IMAGE_NOT_FOUND_MESSAGE])
  @ApiErrorResponse(503, 'The image store does not answer; retry later', [STORAGE_UNAVAILABLE_MESSAGE])
  async serve(@Param('name') name: string): Promise<StreamableFile> {
    const image = await this.images.open(name);
    return new StreamableFile(image.stream, { type: image.contentType, length: image.size });
  }
}
