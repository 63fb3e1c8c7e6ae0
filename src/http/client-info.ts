import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { clientAddressOf } from './client-address.js';

export const MAX_USER_AGENT_LENGTH = 256;

/** Where a request came from, as recorded with sessions and security events. */
export interface ClientInfo {
  address: string;
  userAgent: string;
}

/** Without control characters (line breaks included). */
function printable(text: string): string {
  let result = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code !== 0x7f) result += char;
  }
  return result;
}

export function clientInfoOf(request: { ip?: string; socket?: { remoteAddress?: string }; headers?: Record<string, unknown> }): ClientInfo {
  const agent = request.headers?.['user-agent'];
  return {
    address: clientAddressOf(request).slice(0, 64),
    // Control characters are dropped: the value ends up in mail text and in exports.
    userAgent: typeof agent === 'string' ? printable(agent).slice(0, MAX_USER_AGENT_LENGTH) : '',
  };
}

export const Client = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  clientInfoOf(context.switchToHttp().getRequest()),
);
