import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { clientInfoOf } from '../../http/client-info.js';
import { AuthService } from '../auth.service.js';
import { RfcBasicStrategy } from './rfc-basic.strategy.js';

export const PASSWORD_STRATEGY = 'basic-password';

/** `Basic email:password`, for logging in. */
@Injectable()
export class PasswordStrategy extends PassportStrategy(RfcBasicStrategy, PASSWORD_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super();
  }

  validate(request: Request, email: string, password: string) {
    return this.auth.verifyPassword(email, password, clientInfoOf(request));
  }
}
