import { EmailField, PasswordField, ValidationCodeField } from '../../http/request-fields.js';
import { SecondFactorCodeField } from '../../second-factor/dto/code-field.js';

export class RequestCodeDto {
  @EmailField()
  email: string;
}

export class CheckCodeDto {
  @EmailField()
  email: string;

  @ValidationCodeField('The 6 digits from the mail')
  validation_code: string;
}

export class SetPasswordDto extends CheckCodeDto {
  @PasswordField('password', 'correct horse battery staple', 'The password to set: 8 to 256 characters, not a common one', true)
  password: string;

  @SecondFactorCodeField(false)
  code?: string;
}
