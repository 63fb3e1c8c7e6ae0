import { Controller, Get, HttpCode, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client, type ClientInfo } from '../http/client-info.js';
import { ApiDatabaseUnavailable, ApiErrorResponse, ApiRateLimited } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { TOO_MANY_LOGINS_MESSAGE } from '../rate-limit/limit-messages.js';
import { ReturnToDto } from './dto/sign-in-requests.dto.js';
import { REDIRECT_HEADERS, redirect } from './redirect.js';
import { SIGN_IN_ERRORS } from './sign-in-outcome.js';
import {
  PROVIDER_NOT_FOUND_MESSAGE,
  PROVIDER_UNAVAILABLE_MESSAGE,
  RETURN_TO_NOT_ALLOWED_MESSAGE,
  SIGN_IN_EXPIRED_MESSAGE,
  SocialSignInService,
} from './social-sign-in.service.js';

const PROVIDER_PARAM = { name: 'provider', description: 'The id of a provider of GET /providers', example: 'google' };

@ApiTag('sign-in with another provider')
@ApiDatabaseUnavailable()
@Controller('api/sign_in')
export class SignInController {
  constructor(private readonly social: SocialSignInService) {}

  @Get(':provider')
  @HttpCode(302)
  @ApiParam(PROVIDER_PARAM)
  @ApiOperation({
    summary: 'Start a sign-in with another provider: a redirect to it (code flow, PKCE S256, state, nonce)',
    description:
      'Open in the person’s browser. After the provider, the browser comes back through GET /sign_in/{provider}/callback to ' +
      '`return_to` with `login_code` (exchange it with POST /access_tokens/login_code within 60 s) or `error`.',
  })
  @ApiResponse({ status: 302, description: 'To the provider’s authorization endpoint', headers: REDIRECT_HEADERS })
  @ApiErrorResponse(400, 'return_to is missing or not one of SOCIAL_RETURN_URLS', [
    { message: RETURN_TO_NOT_ALLOWED_MESSAGE, errors: [{ field: 'return_to', message: RETURN_TO_NOT_ALLOWED_MESSAGE }] },
    { message: 'return_to is required', errors: [{ field: 'return_to', message: 'return_to is required' }] },
  ])
  @ApiErrorResponse(404, 'No provider with this id', [PROVIDER_NOT_FOUND_MESSAGE])
  @ApiErrorResponse(503, 'The provider cannot be reached (its discovery failed), or the database is unavailable', [
    PROVIDER_UNAVAILABLE_MESSAGE,
  ])
  async start(@Param('provider') provider: string, @Query() query: ReturnToDto, @Res() response: ServerResponse): Promise<void> {
    redirect(response, await this.social.start({ providerId: provider, returnTo: query.return_to, appState: query.state }));
  }

  @Get(':provider/callback')
  @HttpCode(302)
  @ApiParam(PROVIDER_PARAM)
  @ApiQuery({ name: 'state', required: false, description: 'As the provider gives it back' })
  @ApiQuery({ name: 'code', required: false, description: 'The provider’s authorization code' })
  @ApiQuery({ name: 'error', required: false, description: 'The provider’s refusal' })
  @ApiOperation({
    summary: 'Where the provider sends the browser back: the answer checked, the linking rules applied, then to return_to',
    description:
      'Register `PUBLIC_URL/one_auth/api/sign_in/{provider}/callback` as the redirect URI at the provider. The browser goes on to ' +
      '`return_to` with `login_code` (or `linked=true` for a link started while signed in) or with `error`: ' +
      `${SIGN_IN_ERRORS.map((error) => `\`${error}\``).join(', ')}; and \`state\` when the app sent one. Never a token.`,
  })
  @ApiResponse({ status: 302, description: 'To return_to, with login_code, linked=true or error', headers: REDIRECT_HEADERS })
  @ApiErrorResponse(400, 'The state is unknown, used or expired: there is nowhere safe to send the browser', [SIGN_IN_EXPIRED_MESSAGE])
  @ApiRateLimited('Too many failed sign-ins from this client address', TOO_MANY_LOGINS_MESSAGE)
  async callback(
    @Param('provider') provider: string,
    @Req() request: IncomingMessage & { originalUrl?: string },
    @Client() client: ClientInfo,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const url = request.originalUrl ?? request.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    redirect(response, await this.social.callback(provider, query, client));
  }
}
