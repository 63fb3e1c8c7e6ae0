import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { UserStatus } from '../../users/user-status.js';

/** A page of a list (the audit log, and the account list below): `cursor` and `limit`, checked by the page helpers (400 naming them). */
export class PageQuery {
  @ApiPropertyOptional({ example: 'aWQ6MTIwNw', description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, example: 50, description: 'Page size; 50 when absent' })
  @IsOptional()
  @IsString()
  limit?: string;
}

/** Query of the account list: an email prefix and a status, on a page. */
export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'jennifer', description: 'Accounts whose email starts with this (compared lower-cased)' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: Object.values(UserStatus), example: UserStatus.Disabled })
  @IsOptional()
  @IsIn(Object.values(UserStatus), { message: `status must be one of ${Object.values(UserStatus).join(', ')}` })
  status?: UserStatus;
}
