import { CurrentPasswordField, PasswordField } from '../../http/request-fields.js';
import { SecondFactorCodeField } from '../../second-factor/dto/code-field.js';

export class ChangePasswordDto {
  @CurrentPasswordField('The current password')
  password?: string;

  @PasswordField('new_password', 'new horse battery staple', 'The new password: 8 to 256 characters, not a common one', true)
  new_password: string;

  @SecondFactorCodeField(false)
  code?: string;
}
