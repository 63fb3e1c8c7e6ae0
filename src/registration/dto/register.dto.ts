import { ApiProperty } from '@nestjs/swagger';
import { EmailField } from '../../http/request-fields.js';
import { UserStatus } from '../../users/user-status.js';

export class RegisterDto {
  @EmailField()
  email: string;
}

export class AccountStatusDto {
  @ApiProperty({ example: 'jennifer.lee@example.com' })
  email: string;

  // "disabled" is an operator's word: registration answers a disabled account as an active one (422).
  @ApiProperty({ enum: [UserStatus.Inactive, UserStatus.Active], example: UserStatus.Inactive })
  status: string;
}

export class ActivatedAccountDto extends AccountStatusDto {
  @ApiProperty({ enum: [UserStatus.Inactive, UserStatus.Active], example: UserStatus.Active })
  declare status: string;

  @ApiProperty({
    example: 'q7xJ0d3c9kS5Yh2mW8rT1vN4bL6pZ0aE3fG7hK9mQ2s',
    description: 'A new token; every older token of the account is revoked',
  })
  access_token: string;
}
