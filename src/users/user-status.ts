export const UserStatus = {
  /** Spelling kept from the original API: clients compare against it. */
  Inactive: 'deactived',
  Active: 'active',
} as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];
