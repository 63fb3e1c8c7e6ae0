import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toErrorResponse } from './error-response.js';
import { requestIdOf } from './request-id.js';

/** Turns every error into `{message}` with the right status; internals stay in the log. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest();
    const response = http.getResponse();
    const { status, body, headers, unexpected } = toErrorResponse(exception);
    if (unexpected) {
      // Name and message only: no stack, no request data (which may hold secrets).
      const error = exception as { name?: string; message?: string } | undefined;
      this.logger.error(`request ${requestIdOf(request)} failed: ${error?.name ?? 'Error'}: ${error?.message ?? String(exception)}`);
    } else if (status === 503) {
      this.logger.warn(`request ${requestIdOf(request)}: dependency unavailable`);
    }
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, body, status);
  }
}
