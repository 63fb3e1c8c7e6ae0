import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The client's address as the platform resolved it: the socket's peer, or
 * the X-Forwarded-For entry that TRUST_PROXY designates. Never the raw header.
 */
export function clientAddressOf(request: { ip?: string; socket?: { remoteAddress?: string } }): string {
  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}

export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  clientAddressOf(context.switchToHttp().getRequest()),
);
