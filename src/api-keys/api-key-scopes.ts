/**
 * What a key may do: read accounts, change them, introspect tokens (RFC 7662), see and change the sign-in
 * providers, read and register the OpenID Provider's clients.
 */
export const API_KEY_SCOPES = [
  'users:read',
  'users:write',
  'introspect',
  'providers:read',
  'providers:write',
  'clients:read',
  'clients:write',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A key's name: shown in the audit log and as `client_id`; never a colon (Basic `name:key` splits at the first one). */
export const API_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** Scopes as written on the command line (`users:read,users:write`): known ones, each once, in a fixed order; throws otherwise. */
export function parseScopes(list: string): ApiKeyScope[] {
  const given = list
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = given.filter((scope) => !isApiKeyScope(scope));
  if (given.length === 0 || unknown.length > 0) {
    throw new Error(
      `scopes must be a comma-separated list of ${API_KEY_SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    );
  }
  return API_KEY_SCOPES.filter((scope) => given.includes(scope));
}
