import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsIn } from 'class-validator';

export const SETTABLE_STATUSES = ['disabled', 'active'] as const;

export class SetStatusDto {
  @ApiProperty({
    enum: SETTABLE_STATUSES,
    example: 'disabled',
    description: '"active" lifts a disable (an account that never set a password goes back to "deactived")',
  })
  @IsDefined({ message: 'status is required' })
  @IsIn(SETTABLE_STATUSES, { message: 'status must be "disabled" or "active"' })
  status: (typeof SETTABLE_STATUSES)[number];
}
