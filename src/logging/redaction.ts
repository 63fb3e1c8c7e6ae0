/**
 * Fields that carry a secret wherever they turn up in a log record: the
 * credentials of a request, and the API's own secret fields, at the top of a
 * record or one or two levels down (a request's headers or body, an error's
 * details). Request lines are built field by field and never include headers
 * or bodies; this is the net under that rule.
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'new_password',
  'validation_code',
  'access_token',
  'token',
  'secret',
  // Not `code`: errors carry one (ECONNREFUSED) that the log needs; the bodies second-factor codes travel in are never logged.
  'mfa_token',
  'otpauth_uri',
  'recovery_codes',
  'client_secret',
  'login_code',
];

export const REDACTED_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];
