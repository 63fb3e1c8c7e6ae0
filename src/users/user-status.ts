export const UserStatus = {
  /** Spelling kept from the original API: clients compare against it. */
  Inactive: 'deactived',
  Active: 'active',
  /**
   * Set by an operator (admin API): no login, no token, no code, everywhere
   * at once. Shown as such only to operators; to anyone else the account
   * answers as a wrong password would.
   */
  Disabled: 'disabled',
} as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];
