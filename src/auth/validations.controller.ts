import { All, Controller, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiTag } from '../openapi/api-tags.js';
import { UserProfileDto } from '../profile/dto/user-profile.dto.js';
import { Principal, TokenAuth } from './auth.decorators.js';
import type { TokenPrincipal } from './access-tokens.service.js';
import { USER_EMAIL_HEADER, USER_ID_HEADER } from './identity-headers.js';
import { validationAnswer } from './validations.route.js';

/**
 * For other services: is this `email:token` pair valid, and whose is it?
 * Gateways (nginx auth_request, Envoy ext_authz) ask with the method of the
 * request they guard, so every method answers alike and the body is never read.
 *
 * A GET without a body whose token checks out, while the service is not
 * draining, is answered ahead of the platform through the same functions
 * (platform/token-check-first.ts); this handler answers every other request
 * the guard lets in, and the guard every refusal. This declaration also
 * makes the route's OpenAPI operation.
 */
@ApiTag('access tokens')
@Controller('api/validations')
export class ValidationsController {
  @All()
  @HttpCode(200)
  @TokenAuth()
  @ApiOperation({
    summary: 'Check an email:token pair; answers the profile of its account',
    description:
      'Any method answers alike and a request body is ignored, so a gateway can forward the request it guards ' +
      '(forward auth). On 200 the headers X-User-Id and X-User-Email name the account for the service behind the gateway.',
  })
  @ApiOkResponse({
    type: UserProfileDto,
    headers: {
      [USER_ID_HEADER]: { description: 'The id of the account', required: true, schema: { type: 'string', example: '42' } },
      [USER_EMAIL_HEADER]: {
        description: 'The email of the account; characters outside visible ASCII, and %, percent-encoded as UTF-8',
        required: true,
        schema: { type: 'string', example: 'jennifer.lee@example.com' },
      },
    },
  })
  check(
    @Principal() principal: TokenPrincipal,
    @Res({ passthrough: true }) response: { header(name: string, value: string): unknown },
  ): UserProfileDto {
    return validationAnswer((name, value) => response.header(name, value), principal);
  }
}
