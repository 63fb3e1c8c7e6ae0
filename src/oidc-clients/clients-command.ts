import { parseArgs } from 'node:util';
import { HttpException } from '@nestjs/common';
import type { ErrorBody } from '../http/api-error.js';
import { type ClientRegistration, withDefaults } from './client-registration.js';
import { ClientChangeError, ClientNotFoundError, type OidcClientsService, type RegisteredClient } from './oidc-clients.service.js';

export const CLIENTS_USAGE = `usage:
  clients create NAME --redirect-uri URI [--redirect-uri URI …] [options]
                                  register an app; prints client_id=… and, for a confidential one, client_secret=… (shown once)
  clients list                    every app: id, name, type, redirect URIs (never a secret)
  clients show CLIENT_ID          one app's settings
  clients update CLIENT_ID [--name NAME] [options]
                                  change what is given (a list given replaces the list); a public app made confidential gets a secret
  clients rotate-secret CLIENT_ID a new secret for a confidential app, shown once; the old one stops working at once
  clients delete CLIENT_ID        remove the app: its sessions, grants and tokens end with it
options:
  --redirect-uri URI              where the app receives its code (https, http on a loopback address, or com.example.app:/path)
  --post-logout-redirect-uri URI  where logout may return to
  --backchannel-logout-uri URI    where logout tokens are POSTed ("" on update: none)
  --public                        a browser or native app that keeps no secret (PKCE, token_endpoint_auth_method none)
  --first-party                   your own app: people are never asked to consent (--no-first-party on update)
  --pkce-optional                 a confidential app that cannot send PKCE (--no-pkce-optional on update)
  --pairwise                      a sub of its own for each person (--no-pairwise on update)
  --token-endpoint-auth-method M  client_secret_basic (default), client_secret_post, or none
  --id-token-signed-response-alg  RS256 (default) or ES256`;

/** Where a command writes: what scripts read (ids, secrets, lists) to `out`, everything said to a person to `err`. */
export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  public: { type: 'boolean' },
  'first-party': { type: 'boolean' },
  'pkce-optional': { type: 'boolean' },
  pairwise: { type: 'boolean' },
  'token-endpoint-auth-method': { type: 'string' },
  'id-token-signed-response-alg': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; allowNegative: true }>>['values'];

/** The settings the flags give; what they do not mention stays undefined (kept on update, defaulted on create). */
function settingsOf(values: Values): Partial<ClientRegistration> {
  const method =
    values['token-endpoint-auth-method'] ?? (values.public ? 'none' : values.public === false ? 'client_secret_basic' : undefined);
  const logout = values['backchannel-logout-uri'];
  return {
    client_name: values.name,
    redirect_uris: values['redirect-uri'],
    post_logout_redirect_uris: values['post-logout-redirect-uri'],
    backchannel_logout_uri: logout === undefined ? undefined : logout === '' ? null : logout,
    token_endpoint_auth_method: method as ClientRegistration['token_endpoint_auth_method'] | undefined,
    subject_type: values.pairwise === undefined ? undefined : values.pairwise ? 'pairwise' : 'public',
    id_token_signed_response_alg: values['id-token-signed-response-alg'] as ClientRegistration['id_token_signed_response_alg'] | undefined,
    first_party: values['first-party'],
    pkce_optional: values['pkce-optional'],
  };
}

/** `key=value` lines of a client, lists comma-separated: for a person and for `grep`/`cut`. */
function describe(client: RegisteredClient): string[] {
  return Object.entries(client).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : (value ?? '')}`);
}

/**
 * `clients create|list|show|update|rotate-secret|delete`, given the words
 * after `clients`. Answers the exit status: 0 done, 1 refused (no such
 * client, settings the rules refuse), 2 usage.
 */
export async function runClientsCommand(args: string[], clients: OidcClientsService, { out, err }: Output): Promise<number> {
  try {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, allowNegative: true, options: OPTIONS });
    const [command, subject, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
    const settings = settingsOf(values);
    if (command === 'create' && subject) {
      if (!settings.redirect_uris) throw new UsageError('--redirect-uri is required');
      const { client, client_secret } = await clients.create(
        withDefaults({ ...settings, client_name: subject, redirect_uris: settings.redirect_uris }),
      );
      err(`Registered "${client.client_name}".${client_secret ? ' Its secret is shown once, below: store it now.' : ''}`);
      out(`client_id=${client.client_id}`);
      if (client_secret) out(`client_secret=${client_secret}`);
      return 0;
    }
    if (command === 'list' && !subject) {
      out(['client_id', 'client_name', 'type', 'first_party', 'subject_type', 'redirect_uris', 'created_at'].join('\t'));
      for (const client of await clients.list()) {
        const type = client.token_endpoint_auth_method === 'none' ? 'public' : 'confidential';
        out(
          [
            client.client_id,
            client.client_name,
            type,
            client.first_party,
            client.subject_type,
            client.redirect_uris.join(','),
            client.created_at,
          ].join('\t'),
        );
      }
      return 0;
    }
    if (command === 'show' && subject) {
      const client = await clients.get(subject);
      if (!client) throw new ClientNotFoundError(`no client ${subject}`);
      for (const line of describe(client)) out(line);
      return 0;
    }
    if (command === 'update' && subject) {
      const { client, client_secret } = await clients.update(subject, settings);
      for (const line of describe(client)) out(line);
      if (client_secret) {
        out(`client_secret=${client_secret}`);
        err('It is confidential now: its secret is shown once, above. Store it now.');
      }
      return 0;
    }
    if (command === 'rotate-secret' && subject) {
      const { client_secret } = await clients.rotateSecret(subject);
      err('A new secret, shown once, below: the old one no longer works.');
      out(`client_secret=${client_secret}`);
      return 0;
    }
    if (command === 'delete' && subject) {
      if (!(await clients.delete(subject))) throw new ClientNotFoundError(`no client ${subject}`);
      err(`Deleted the client ${subject}: its sessions, grants and tokens ended with it.`);
      return 0;
    }
    throw new UsageError(command ? `unknown command: clients ${positionals.join(' ')}` : 'a command is required');
  } catch (error) {
    if (error instanceof ClientNotFoundError || error instanceof ClientChangeError) {
      err(`clients: ${error.message}`);
      return 1;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse() as ErrorBody;
      for (const problem of body.errors ?? [{ field: '', message: body.message }]) err(`clients: ${problem.message}`);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`clients: ${(error as Error).message}\n${CLIENTS_USAGE}`);
      return 2;
    }
    throw error;
  }
}
