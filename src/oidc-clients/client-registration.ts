import type { FieldError } from '../http/api-error.js';

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export const SUBJECT_TYPES = ['public', 'pairwise'] as const;
export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;

/** What an operator registers about an app: the RFC 7591 names, plus `first_party` and `pkce_optional`. */
export interface ClientRegistration {
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  /** `none`: a public client (a browser or native app that can keep no secret). */
  token_endpoint_auth_method: (typeof AUTH_METHODS)[number];
  subject_type: (typeof SUBJECT_TYPES)[number];
  id_token_signed_response_alg: (typeof ID_TOKEN_ALGS)[number];
  /** The operator's own app: no consent page. */
  first_party: boolean;
  /** A confidential client that cannot send PKCE may leave it out. */
  pkce_optional: boolean;
}

export const MAX_NAME_LENGTH = 100;
export const MAX_URIS = 20;
const MAX_URI_LENGTH = 2000;
/** The column a back-channel logout's endpoint is copied into. */
const MAX_LOGOUT_URI_LENGTH = 500;
export const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/**
 * A private-use scheme of a native app (RFC 8252 §7.1): a reverse domain name
 * such as com.example.app, so it names the app and no well-known scheme.
 */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+:$/;

/** Where a redirect URI points: a web origin, this machine (RFC 8252 §7.3), or a native app's scheme. */
export type RedirectKind = 'https' | 'loopback' | 'private-use';

/**
 * A redirect URI is matched exactly, so it must be one exact, absolute
 * URI: `https`, `http` only on a loopback address (any port), or a
 * private-use scheme; never a fragment, never a wildcard.
 */
export function redirectUriKind(uri: string): RedirectKind | string {
  if (uri.length > MAX_URI_LENGTH) return `must be at most ${MAX_URI_LENGTH} characters`;
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  if (uri.includes('*')) return 'must not contain a wildcard (*)';
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return 'must not contain spaces or control characters';
  const url = URL.parse(uri);
  if (!url) return 'must be an absolute URI';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.protocol === 'https:') return url.hostname ? 'https' : 'must name a host';
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname) ? 'loopback' : 'may use http only on localhost, 127.0.0.1 or [::1]';
  if (PRIVATE_USE_SCHEME.test(url.protocol) && !url.host) return 'private-use';
  return 'must use https, http on a loopback address, or a private-use scheme such as com.example.app:/callback';
}

function checkUris(field: string, uris: string[], required: boolean, errors: FieldError[]): RedirectKind[] {
  if (required && uris.length === 0) errors.push({ field, message: `${field} must name at least one URI` });
  if (uris.length > MAX_URIS) errors.push({ field, message: `${field} must name at most ${MAX_URIS} URIs` });
  const kinds: RedirectKind[] = [];
  for (const uri of uris) {
    const kind = redirectUriKind(uri);
    if (kind === 'https' || kind === 'loopback' || kind === 'private-use') kinds.push(kind);
    else errors.push({ field, message: `${field}: ${JSON.stringify(uri.slice(0, 100))} ${kind}` });
  }
  if (new Set(uris).size !== uris.length) errors.push({ field, message: `${field} names a URI twice` });
  return kinds;
}

/** What is wrong with a registration, field by field; empty when it can be saved. */
export function registrationProblems(registration: ClientRegistration): FieldError[] {
  const errors: FieldError[] = [];
  const name = registration.client_name;
  // eslint-disable-next-line no-control-regex
  if (name.trim() === '' || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    errors.push({ field: 'client_name', message: `client_name must be 1 to ${MAX_NAME_LENGTH} printable characters` });
  }
  const oneOf = (field: keyof ClientRegistration, allowed: readonly string[]) => {
    if (!allowed.includes(registration[field] as string)) errors.push({ field, message: `${field} must be one of ${allowed.join(', ')}` });
  };
  oneOf('token_endpoint_auth_method', AUTH_METHODS);
  oneOf('subject_type', SUBJECT_TYPES);
  oneOf('id_token_signed_response_alg', ID_TOKEN_ALGS);
  checkUris('redirect_uris', registration.redirect_uris, true, errors);
  checkUris('post_logout_redirect_uris', registration.post_logout_redirect_uris, false, errors);
  const logout = registration.backchannel_logout_uri;
  if (logout !== null) {
    const kind = redirectUriKind(logout);
    if (kind !== 'https' && kind !== 'loopback') {
      const why = kind === 'private-use' ? 'must use https, or http on a loopback address' : kind;
      errors.push({ field: 'backchannel_logout_uri', message: `backchannel_logout_uri ${why}` });
    } else if (logout.length > MAX_LOGOUT_URI_LENGTH) {
      errors.push({
        field: 'backchannel_logout_uri',
        message: `backchannel_logout_uri must be at most ${MAX_LOGOUT_URI_LENGTH} characters`,
      });
    }
  }
  if (registration.pkce_optional && registration.token_endpoint_auth_method === 'none') {
    errors.push({ field: 'pkce_optional', message: 'pkce_optional is only for a confidential client: a public client always sends PKCE' });
  }
  if (registration.subject_type === 'pairwise') {
    const hosts = new Set(registration.redirect_uris.map((uri) => URL.parse(uri)?.host));
    if (hosts.size > 1) errors.push({ field: 'redirect_uris', message: 'redirect_uris of a pairwise client must all be on one host' });
  }
  return errors;
}

/**
 * Native when a redirect URI is an app's own scheme, or every one is a
 * loopback address: the provider then lets a loopback redirect come back on
 * any port (RFC 8252 §7.3). Otherwise a web app, matched exactly.
 */
export function applicationTypeOf(redirectUris: string[]): 'web' | 'native' {
  const kinds = redirectUris.map(redirectUriKind);
  return kinds.includes('private-use') || kinds.every((kind) => kind === 'loopback') ? 'native' : 'web';
}

/** The client as the provider reads it (its Client model's metadata). */
export function providerMetadata(clientId: string, registration: ClientRegistration, secret: string | null): Record<string, unknown> {
  return {
    client_id: clientId,
    ...(secret === null ? {} : { client_secret: secret }),
    client_name: registration.client_name,
    application_type: applicationTypeOf(registration.redirect_uris),
    redirect_uris: registration.redirect_uris,
    post_logout_redirect_uris: registration.post_logout_redirect_uris,
    ...(registration.backchannel_logout_uri === null
      ? {}
      : { backchannel_logout_uri: registration.backchannel_logout_uri, backchannel_logout_session_required: true }),
    token_endpoint_auth_method: registration.token_endpoint_auth_method,
    subject_type: registration.subject_type,
    id_token_signed_response_alg: registration.id_token_signed_response_alg,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // auth_time in every ID token, as SPEC 44 lists it, not only when max_age asks for it.
    require_auth_time: true,
    first_party: registration.first_party,
    pkce_optional: registration.pkce_optional,
  };
}

/** A registration from what an operator gave, the rest at its defaults: a confidential, third-party app with public subjects and RS256. */
export function withDefaults(
  given: Partial<ClientRegistration> & Pick<ClientRegistration, 'client_name' | 'redirect_uris'>,
): ClientRegistration {
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as typeof given;
  return {
    post_logout_redirect_uris: [],
    backchannel_logout_uri: null,
    token_endpoint_auth_method: 'client_secret_basic',
    subject_type: 'public',
    id_token_signed_response_alg: 'RS256',
    first_party: false,
    pkce_optional: false,
    ...defined,
  };
}
