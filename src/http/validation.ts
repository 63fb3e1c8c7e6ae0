import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { InvalidFieldsError, type FieldError } from './api-error.js';

/**
 * The one validation pipe: unknown fields are dropped (never stored), the
 * first failing rule of each field is reported, the first field is the message.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new InvalidFieldsError(toFieldErrors(errors)),
  });
}

export function toFieldErrors(errors: ValidationError[]): FieldError[] {
  return errors.map((error) => {
    if (!error.property) return { field: 'body', message: 'Request body must be a JSON object' };
    const messages = Object.values(error.constraints ?? {});
    return { field: error.property, message: messages[0] ?? `${error.property} is invalid` };
  });
}
