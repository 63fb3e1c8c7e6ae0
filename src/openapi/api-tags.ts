import { ApiTags } from '@nestjs/swagger';

/**
 * Every tag of the document, with what it groups. An operation tagged with a
 * name missing here fails the OpenAPI lint (`operation-tag-defined`).
 */
export const API_TAGS = {
  registration: 'Create an account from an email address and a mailed 6-digit code; set or reset the password',
  'access tokens': 'Log in (one token per device), log out, and check an email:token pair from another service',
  profile: 'Names, country, department and avatar of the account',
  images: 'Upload an image and serve it at a public URL',
  health: 'Liveness and readiness probes for an orchestrator',
  sessions: 'Where the account is signed in, and signing one device out',
  account: 'Password and email change, deletion, a copy of the data, and recent security activity',
  passkeys: 'Passkeys (WebAuthn): add, list and remove them, and sign in with one instead of a password',
  'second factor': 'Two-step login: an authenticator app (TOTP) and recovery codes',
  operations: 'For the operator: Prometheus metrics',
  admin:
    'For operators, with an API key (`npm run keys`): find accounts, disable them, sign them out, reset or erase them; ' +
    'the sign-in providers; the audit log',
  introspection: 'RFC 7662 token introspection for relying services, with an API key of scope introspect',
  'sign-in with another provider':
    'Sign in with Google, Microsoft, GitHub or any OpenID Connect provider the operator added: the providers, the redirect there and back, ' +
    'the login code exchanged for a token, and the identities linked to the account',
  apps: 'The apps a person let in through Sign in with one_auth (the OpenID Provider), and revoking one',
  clients: 'For operators, with an API key: register the apps that use Sign in with one_auth (OpenID Connect clients)',
} as const;

export type ApiTagName = keyof typeof API_TAGS;

/** `@ApiTags` restricted to the declared tags. */
export function ApiTag(name: ApiTagName): MethodDecorator & ClassDecorator {
  return ApiTags(name);
}
