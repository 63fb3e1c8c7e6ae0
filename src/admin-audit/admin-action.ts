/** The changes an operator can make, as the audit log names them. */
export const AdminAction = {
  Disable: 'user.disabled',
  Enable: 'user.enabled',
  RevokeSessions: 'user.sessions_revoked',
  RemoveSecondFactor: 'user.second_factor_removed',
  SendPasswordReset: 'user.password_reset_sent',
  Erase: 'user.erased',
  /** A sign-in provider added (`providers:write`). */
  AddProvider: 'provider.added',
  /** A sign-in provider removed, with the identities linked through it. */
  RemoveProvider: 'provider.removed',
  CreateClient: 'client.created',
  UpdateClient: 'client.updated',
  RotateClientSecret: 'client.secret_rotated',
  DeleteClient: 'client.deleted',
} as const;
export type AdminAction = (typeof AdminAction)[keyof typeof AdminAction];
