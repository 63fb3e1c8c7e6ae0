/**
 * SQL the profile module lends the images module: whether some profile's
 * avatar points to the image whose name is the SQL expression `imageName`.
 * With `ofUser` (an SQL expression for an account id) only that account's
 * profile is looked at: an indexed lookup, cheap enough to find candidates.
 */
export function avatarPointsTo(dialect: 'mysql' | 'sqlite', imageName: string, ofUser?: string): string {
  // The URL may carry any host (PUBLIC_URL can change): match the server-made name, which is unique.
  const pattern = dialect === 'mysql' ? `CONCAT('%', ${imageName}, '%')` : `('%' || ${imageName} || '%')`;
  const owner = ofUser === undefined ? '' : `p.user_id = ${ofUser} AND `;
  return `EXISTS (SELECT 1 FROM user_profiles p WHERE ${owner}p.avatar LIKE ${pattern})`;
}
