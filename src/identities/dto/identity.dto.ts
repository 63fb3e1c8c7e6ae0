import { ApiProperty } from '@nestjs/swagger';

/** An identity as its owner sees it (and as the export lists it). */
export class IdentityDto {
  @ApiProperty({ example: '8d2f0c4b1e9a47f3a5c6d7e8f9012345', description: 'Its handle, for DELETE /user/identities/{id}' })
  id: string;

  @ApiProperty({ example: 'google', description: 'The provider it signs in with' })
  provider: string;

  @ApiProperty({ example: 'jennifer.lee@gmail.com', description: 'The address the provider gave at the last sign-in; "" when none' })
  email: string;

  @ApiProperty({ example: '2026-11-25T08:30:00.000Z', format: 'date-time' })
  linked_at: string;

  @ApiProperty({
    example: '2026-11-26T07:02:13.000Z',
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Last sign-in with it; null before the first',
  })
  last_used_at: string | null;
}

export class IdentityListDto {
  @ApiProperty({ type: [IdentityDto], description: 'Newest first' })
  identities: IdentityDto[];
}
