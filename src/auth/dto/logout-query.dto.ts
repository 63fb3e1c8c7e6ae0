import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class LogoutQueryDto {
  @ApiPropertyOptional({ enum: ['all'], description: '`all` revokes every token of the account, on every device' })
  @IsOptional()
  @IsIn(['all'], { message: "scope must be 'all'" })
  scope?: 'all';
}
