import type { Request } from 'express';
import { BasicStrategy } from 'passport-http';
import { parseAuthorization } from '../authorization-header.js';

/** How verify (Nest's validate()) answers: an error, no principal (a refusal), or the principal. */
export type Verified = (error: unknown, principal?: unknown) => void;

// Passport attaches these actions to a strategy before calling authenticate().
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface RfcBasicStrategy {
  success(principal: unknown): void;
  fail(status?: number): void;
  error(error: Error): void;
}

/**
 * passport-http's Basic strategy with RFC 7617 parsing. The stock one splits
 * the decoded pair at every colon (cutting passwords that contain one) and
 * answers some malformed headers with 400; this one splits at the first colon,
 * decodes UTF-8 and answers every malformed header, and any other scheme,
 * with a plain failure (401). Verify receives the request first, for the
 * client's address.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RfcBasicStrategy extends BasicStrategy {
  override authenticate(request: Request): void {
    const credentials = parseAuthorization(request.headers.authorization);
    if (credentials?.scheme !== 'basic') {
      this.fail(401);
      return;
    }
    this.verify(request, credentials.userId, credentials.secret, this.verified());
  }

  /** passport-http's verify callback (Nest's validate()), which it keeps in _verify. */
  protected verify(...args: unknown[]): void {
    (this as unknown as { _verify: (...args: unknown[]) => void })._verify.apply(this, args);
  }

  /** Passport's action for what verify answered: error, failure (401) or success. */
  protected verified(): Verified {
    return (error, principal) => {
      if (error) this.error(error as Error);
      else if (!principal) this.fail(401);
      else this.success(principal);
    };
  }
}
