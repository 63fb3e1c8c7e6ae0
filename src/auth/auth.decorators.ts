import { applyDecorators, createParamDecorator, type ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/message.dto.js';
import { BAD_PASSWORD_MESSAGE, BAD_TOKEN_MESSAGE, PasswordAuthGuard, TokenAuthGuard } from './auth.guards.js';

export const BASIC_SCHEME = 'basic';
export const BEARER_SCHEME = 'bearer';

/** Requires `Basic email:password`; the handler gets the UserEntity. */
export function PasswordAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(PasswordAuthGuard),
    ApiBasicAuth(BASIC_SCHEME),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: BAD_PASSWORD_MESSAGE, example: { message: BAD_PASSWORD_MESSAGE } }),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description: 'Too many failed logins; see Retry-After',
      example: { message: 'Too many failed logins, please retry later' },
    }),
  );
}

/** Requires `Basic email:token` (or `Bearer token`); the handler gets a TokenPrincipal. */
export function TokenAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(TokenAuthGuard),
    ApiBasicAuth(BASIC_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: BAD_TOKEN_MESSAGE, example: { message: BAD_TOKEN_MESSAGE } }),
  );
}

/** Whoever the guard let in. */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<{ user: unknown }>().user;
});
