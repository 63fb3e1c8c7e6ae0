import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnsupportedMediaTypeResponse } from '@nestjs/swagger';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { Principal, TokenAuth } from '../auth/auth.decorators.js';
import { ErrorResponseDto } from '../common/dto/message.dto.js';
import { ProfileWithTokenDto, UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserProfileDto, toUserProfile } from './dto/user-profile.dto.js';
import { ProfileService } from './profile.service.js';

@ApiTags('profile')
@TokenAuth()
@Controller('api/user/profile')
export class ProfileController {
  constructor(private readonly profiles: ProfileService) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: 'Read the profile' })
  @ApiOkResponse({ type: UserProfileDto })
  read(@Principal() principal: TokenPrincipal): UserProfileDto {
    return toUserProfile(principal.user.email, principal.user);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Update the profile: omitted fields stay, "" clears' })
  @ApiOkResponse({ type: ProfileWithTokenDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto })
  update(@Principal() principal: TokenPrincipal, @Body() dto: UpdateProfileDto): Promise<ProfileWithTokenDto> {
    return this.profiles.update(principal, dto);
  }
}
