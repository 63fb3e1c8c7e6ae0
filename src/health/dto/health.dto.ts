import { ApiProperty } from '@nestjs/swagger';

export class LiveDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';
}

export class ReadyDto extends LiveDto {
  @ApiProperty({ enum: ['up'], example: 'up', description: 'The database answered within 2 s' })
  database: 'up';
}
