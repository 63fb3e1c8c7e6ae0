import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiKeyAuth } from '../api-keys/api-key-auth.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { AccessTokensService } from '../auth/access-tokens.service.js';
import { Principal } from '../auth/auth.decorators.js';
import { FORM_ONLY_MESSAGE } from '../http/body-type.js';
import { DEFAULT_MESSAGES } from '../http/error-response.js';
import { ApiErrorResponse } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { IntrospectionDto, IntrospectionRequestDto } from './dto/introspection.dto.js';

const seconds = (ms: number) => Math.floor(ms / 1000);

@ApiTag('introspection')
@Controller('api/introspect')
export class IntrospectionController {
  constructor(private readonly tokens: AccessTokensService) {}

  @Post()
  @HttpCode(200)
  @ApiKeyAuth('introspect', { basic: true })
  @ApiOperation({
    summary: 'RFC 7662 token introspection: is this access token live, and whose is it? (API key with the introspect scope)',
    description:
      'Looking does not count as a use of the token: its idle timeout is not extended. Any token that is not live ' +
      '(unknown, revoked, expired, idle too long, its account disabled or gone) is `{"active": false}` and nothing else.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: IntrospectionRequestDto })
  @ApiExtraModels(IntrospectionRequestDto)
  @ApiOkResponse({
    type: IntrospectionDto,
    examples: {
      active: {
        summary: 'A live token',
        value: {
          active: true,
          sub: '42',
          username: 'jennifer.lee@example.com',
          token_type: 'access_token',
          exp: 1767225600,
          iat: 1764633600,
          client_id: 'gateway',
        },
      },
      inactive: { summary: 'Any token that is not live', value: { active: false } },
    },
  })
  @ApiErrorResponse(400, 'No token in the form', [
    { message: 'token is required', errors: [{ field: 'token', message: 'token is required' }] },
  ])
  @ApiErrorResponse(413, 'The body is larger than the configured limit', [DEFAULT_MESSAGES[413]])
  @ApiErrorResponse(415, 'The body is not application/x-www-form-urlencoded', [FORM_ONLY_MESSAGE])
  async introspect(@Body() dto: IntrospectionRequestDto, @Principal() key: ApiKeyPrincipal): Promise<IntrospectionDto> {
    const found = await this.tokens.introspect(dto.token);
    if (!found) return { active: false };
    return {
      active: true,
      sub: String(found.user.id),
      username: found.user.email,
      token_type: 'access_token',
      exp: seconds(found.expiresAt),
      iat: seconds(found.issuedAt),
      client_id: key.name,
    };
  }
}
