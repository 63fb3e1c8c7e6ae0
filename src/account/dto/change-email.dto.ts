import { CurrentPasswordField, EmailField, ValidationCodeField } from '../../http/request-fields.js';
import { SecondFactorCodeField } from '../../second-factor/dto/code-field.js';

export class RequestEmailChangeDto {
  @EmailField('new_email', 'jennifer.new@example.com')
  new_email: string;

  @CurrentPasswordField('The current password')
  password?: string;

  @SecondFactorCodeField(false)
  code?: string;
}

export class ConfirmEmailChangeDto {
  @EmailField('new_email', 'jennifer.new@example.com')
  new_email: string;

  @ValidationCodeField('The 6 digits mailed to the new address')
  validation_code: string;
}
