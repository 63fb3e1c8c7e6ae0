import { SecondFactorCodeField } from '../../second-factor/dto/code-field.js';

/** The body of DELETE /user: none at all, or the second-factor code of an account with two-step login. */
export class DeleteAccountDto {
  @SecondFactorCodeField(false)
  code?: string;
}
