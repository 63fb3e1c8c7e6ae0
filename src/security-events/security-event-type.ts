/** What the activity endpoint lists; stored as the value. */
export const SecurityEventType = {
  SignIn: 'sign_in',
  SignInFailed: 'sign_in_failed',
  PasswordSet: 'password_set',
  PasswordReset: 'password_reset',
  PasswordChanged: 'password_changed',
  EmailChanged: 'email_changed',
  SessionRevoked: 'session_revoked',
  Logout: 'logout',
  LogoutAll: 'logout_all',
  Export: 'export',
  PasskeyAdded: 'passkey_added',
  PasskeyRemoved: 'passkey_removed',
  /** A sign-in with a passkey (no password). */
  PasskeySignIn: 'sign_in_passkey',
  SecondFactorEnabled: 'second_factor_enabled',
  SecondFactorDisabled: 'second_factor_disabled',
  SecondFactorFailed: 'second_factor_failed',
  RecoveryCodeUsed: 'recovery_code_used',
  RecoveryCodesRenewed: 'recovery_codes_renewed',
  /** An operator disabled the account (34): every session signed out, logins refused. */
  AccountDisabled: 'account_disabled',
  /** An operator lifted a disable (34). */
  AccountEnabled: 'account_enabled',
  /** A sign-in with another provider (an identity linked to the account). */
  ProviderSignIn: 'sign_in_provider',
  /** An account of another provider was linked: it signs this account in from now on. */
  IdentityLinked: 'identity_linked',
  /** A linked identity was removed, by the owner or with its provider. */
  IdentityUnlinked: 'identity_unlinked',
  /** A sign-in to an app through the OpenID Provider; the event names the app. */
  OidcSignIn: 'oidc.sign_in',
} as const;
export type SecurityEventType = (typeof SecurityEventType)[keyof typeof SecurityEventType];
