import { isLoopbackHttp } from '../config/social-config.js';

/** `oidc`: any OpenID Connect provider, found by discovery. `github`: GitHub's OAuth 2 apps (no OpenID Connect). */
export const PROVIDER_KINDS = ['oidc', 'github'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Lower-case letters, digits and dashes: it goes in URLs (`/sign_in/{id}`) as it is. */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const GITHUB_WEB = 'https://github.com';
const MAX_SECRET_LENGTH = 1024;

/** What an operator gives to add a provider (the CLI's options, the admin API's body). */
export interface ProviderInput {
  id: string;
  kind?: string;
  issuer?: string;
  clientId: string;
  clientSecret: string;
  name?: string;
  trustEmail?: boolean;
}

/** A provider ready to store: checked, with its defaults filled in. */
export interface NewProvider {
  slug: string;
  kind: ProviderKind;
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  trustEmail: boolean;
}

/** A provider input that cannot be stored; the message says which option and why. */
export class ProviderInputError extends Error {
  override name = 'ProviderInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks an operator's input. The issuer is `https`, or `http` on a
 * loopback address (a provider on the same machine, for development and
 * tests): the client secret and the person's tokens travel to it. For
 * GitHub it is optional (github.com; a GitHub Enterprise Server's address
 * otherwise).
 */
export function checkProviderInput(input: ProviderInput): NewProvider {
  const kind = (input.kind ?? 'oidc') as ProviderKind;
  if (!PROVIDER_KINDS.includes(kind)) throw new ProviderInputError('kind', `kind must be one of ${PROVIDER_KINDS.join(', ')}`);
  if (!PROVIDER_ID.test(input.id)) {
    throw new ProviderInputError('id', 'id must be 1 to 32 lower-case letters, digits or dashes, starting with a letter or digit');
  }
  const issuer = (input.issuer ?? (kind === 'github' ? GITHUB_WEB : '')).trim().replace(/\/+$/, '');
  if (!issuer) throw new ProviderInputError('issuer', 'issuer is required (the OpenID issuer URL, e.g. https://accounts.google.com)');
  if (!isProviderUrl(issuer)) {
    throw new ProviderInputError(
      'issuer',
      'issuer must be an https URL (http only on localhost/127.0.0.1/[::1]), without query or fragment',
    );
  }
  const clientId = input.clientId.trim();
  if (!clientId || clientId.length > 255 || !printable(clientId)) {
    throw new ProviderInputError('client_id', 'client_id must be 1 to 255 printable characters');
  }
  const clientSecret = input.clientSecret.trim();
  if (!clientSecret || clientSecret.length > MAX_SECRET_LENGTH || !printable(clientSecret)) {
    throw new ProviderInputError('client_secret', `client_secret must be 1 to ${MAX_SECRET_LENGTH} printable characters`);
  }
  const name = (input.name ?? defaultName(input.id, kind)).trim();
  if (!name || name.length > 64 || !printable(name)) throw new ProviderInputError('name', 'name must be 1 to 64 printable characters');
  return { slug: input.id, kind, issuer, clientId, clientSecret, name, trustEmail: input.trustEmail ?? false };
}

function isProviderUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (raw.length > 500 || url.search || url.hash || raw.includes('#') || url.username || url.password) return false;
  return (url.protocol === 'https:' && url.hostname !== '') || isLoopbackHttp(url);
}

function defaultName(id: string, kind: ProviderKind): string {
  if (kind === 'github') return 'GitHub';
  return id.charAt(0).toUpperCase() + id.slice(1);
}

function printable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f]/.test(text);
}
