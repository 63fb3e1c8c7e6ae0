import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/** Node's own request under either platform (Fastify wraps it as `.raw`, Express extends it). */
export const RawRequest = createParamDecorator((_data: unknown, context: ExecutionContext): IncomingMessage => {
  const request = context.switchToHttp().getRequest<IncomingMessage & { raw?: IncomingMessage }>();
  return request.raw ?? request;
});
