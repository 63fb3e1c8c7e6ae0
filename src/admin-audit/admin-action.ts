/** The changes an operator can make, as the audit log names them. */
export const AdminAction = {
  Disable: 'user.disabled',
  Enable: 'user.enabled',
  RevokeSessions: 'user.sessions_revoked',
  RemoveSecondFactor: 'user.second_factor_removed',
  SendPasswordReset: 'user.password_reset_sent',
  Erase: 'user.erased',
  CreateClient: 'client.created',
  UpdateClient: 'client.updated',
  RotateClientSecret: 'client.secret_rotated',
  DeleteClient: 'client.deleted',
} as const;
export type AdminAction = (typeof AdminAction)[keyof typeof AdminAction];
