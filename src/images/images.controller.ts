import type { IncomingMessage } from 'node:http';
import { Controller, Get, Header, HttpCode, Param, Post, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { ErrorResponseDto } from '../common/dto/message.dto.js';
import { RawRequest } from '../common/raw-request.js';
import { ImageUploadDto, ImageUrlDto } from './dto/upload.dto.js';
import { ImagesService, STORAGE_UNAVAILABLE_MESSAGE } from './images.service.js';

@ApiTags('images')
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
  @ApiBadRequestResponse({ type: ErrorResponseDto, example: { message: 'file is required' } })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto, example: { message: 'Unsupported image type' } })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, example: { message: STORAGE_UNAVAILABLE_MESSAGE } })
  upload(@Principal() principal: TokenPrincipal, @RawRequest() request: IncomingMessage): Promise<ImageUrlDto> {
    return this.images.uploadFrom(request, principal.user.id);
  }

  @Get('images/:name')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Content-Security-Policy', 'sandbox')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  @ApiOperation({ summary: 'An uploaded image' })
  @ApiProduces('image/png', 'image/jpeg', 'image/webp', 'image/gif')
  @ApiOkResponse({ description: 'The image bytes, with their real Content-Type' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, example: { message: STORAGE_UNAVAILABLE_MESSAGE } })
  async serve(@Param('name') name: string): Promise<StreamableFile> {
    const image = await this.images.open(name);
    return new StreamableFile(image.stream, { type: image.contentType, length: image.size });
  }
}
