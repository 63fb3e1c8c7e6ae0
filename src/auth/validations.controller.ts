import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserProfileDto, toUserProfile } from '../profile/dto/user-profile.dto.js';
import { Principal, TokenAuth } from './auth.decorators.js';
import type { TokenPrincipal } from './access-tokens.service.js';

/** For other services: is this `email:token` pair valid, and whose is it? */
@ApiTags('access tokens')
@Controller('api/validations')
export class ValidationsController {
  @Get()
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({ summary: 'Check an email:token pair; answers the profile of its account' })
  @ApiOkResponse({ type: UserProfileDto })
  check(@Principal() principal: TokenPrincipal): UserProfileDto {
    return toUserProfile(principal.user.email, principal.user);
  }
}
