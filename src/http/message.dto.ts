import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class MessageDto {
  @ApiProperty({ example: 'success' })
  message: string;
}

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'email must be a valid email' })
  message: string;
}

/** Every error answer has this shape. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'email must be a valid email' })
  message: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present on 400: every invalid field' })
  errors?: FieldErrorDto[];
}
