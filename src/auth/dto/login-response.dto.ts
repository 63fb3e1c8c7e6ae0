import { ApiProperty } from '@nestjs/swagger';
import { UserProfileDto } from '../../profile/dto/user-profile.dto.js';

export class LoginResponseDto {
  @ApiProperty({
    example: 'q7xJ0d3c9kS5Yh2mW8rT1vN4bL6pZ0aE3fG7hK9mQ2s',
    description: 'Shown once; send it as Basic email:token or Bearer',
  })
  access_token: string;

  @ApiProperty({ type: UserProfileDto })
  user_profile: UserProfileDto;
}
