import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import type { LoginResponseDto } from '../auth/dto/login-response.dto.js';
import type { ClientInfo } from '../http/client-info.js';
import { LOGIN_EXPIRED_MESSAGE } from '../second-factor/second-factor-messages.js';
import { TwoStepLoginService } from '../second-factor/two-step-login.service.js';
import { SecurityEventType } from '../security-events/security-event-type.js';
import { UserStatus } from '../users/user-status.js';
import { type Account, UsersService } from '../users/users.service.js';
import { LoginCodes } from './login-codes.service.js';

/**
 * Exchanging a login code for a token (54): the code stands where a right
 * password stands in a password login, and the login goes on through the
 * same code path (TwoStepLoginService): a token, or on an account with
 * two-step login the 401 that asks for its second step. A code that is
 * unknown, used or expired counts as a failed login of the client address.
 */
@Injectable()
export class LoginCodeLogin {
  constructor(
    private readonly loginCodes: LoginCodes,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly twoStep: TwoStepLoginService,
  ) {}

  async login(code: string, client: ClientInfo): Promise<LoginResponseDto> {
    return this.twoStep.login(await this.redeem(code, client), client, SecurityEventType.ProviderSignIn);
  }

  /**
   * The code used up: the active account it stands for, a first step
   * passed, for the login to go on from (here, or on the login pages);
   * 401 Login expired otherwise.
   */
  async redeem(code: string, client: ClientInfo): Promise<Account> {
    // The sign-in was counted when the callback issued the code: here only a code that is not one counts, against the address.
    const redeemed = await this.auth.underLoginLimits(null, client, async () => {
      const userId = await this.loginCodes.redeem(code);
      return userId === null ? null : { userId };
    });
    const account = redeemed && (await this.users.findAccount(redeemed.userId));
    if (!account || account.status !== UserStatus.Active) throw new UnauthorizedException(LOGIN_EXPIRED_MESSAGE);
    return account;
  }
}
