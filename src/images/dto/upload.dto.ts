import { ApiProperty } from '@nestjs/swagger';

export class ImageUploadDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'PNG, JPEG, WebP or GIF' })
  file: unknown;
}

export class ImageUrlDto {
  @ApiProperty({ example: 'http://localhost:8000/one_auth/images/3f9c2b7a5d1e4c8f9a0b1c2d3e4f5a6b.png' })
  url: string;
}
