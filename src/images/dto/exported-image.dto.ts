import { ApiProperty } from '@nestjs/swagger';

export class ExportedImageDto {
  @ApiProperty({ example: 'http://localhost:8000/one_auth/images/3f9c2b7a5d1e4c8f9a0b1c2d3e4f5a6b.png' })
  url: string;

  @ApiProperty({ example: 'image/png' })
  content_type: string;

  @ApiProperty({ example: 48213 })
  bytes: number;

  @ApiProperty({ example: '2026-11-02T12:00:00.000Z', format: 'date-time' })
  created_at: string;
}
