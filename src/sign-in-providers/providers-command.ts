import { parseArgs } from 'node:util';
import { ProviderInputError, type ProviderInput } from './provider-input.js';
import { ProviderError, type ProviderListing } from './sign-in-providers.service.js';

export const PROVIDERS_USAGE = `usage:
  providers add ID --issuer URL --client-id ID (--client-secret-file PATH | --client-secret -) [--name NAME] [--trust-email]
                                      an OpenID Connect provider (Google, Microsoft Entra ID, GitLab, Okta…), found by discovery
  providers add ID --kind github --client-id ID --client-secret-file PATH [--issuer https://github.example.com] [--trust-email]
                                      GitHub (OAuth 2 only); --issuer for GitHub Enterprise Server
  providers list                      every provider: id, kind, name, issuer, client id, trust email, added (never the secret)
  providers remove ID                 no one signs in with it from the next request on; identities linked through it are removed

  The client secret: --client-secret-file PATH reads it from a file, --client-secret - from standard input
  (e.g. printf %s "$SECRET" | npm run providers -- add …). --client-secret VALUE also works, but leaves the
  secret in the shell's history and in the process list.
  --trust-email: the provider's word that an address is verified is believed, so a sign-in with it may link
  the existing account of that address. Only for providers that verify every address they vouch for
  (docs/social-sign-in.md says which).`;

/** What the command does its work with: the provider owner's operations, and where secrets are read from. */
export interface ProvidersPort {
  add(input: ProviderInput): Promise<ProviderListing>;
  list(): Promise<ProviderListing[]>;
  /** Answers how many identities went with the provider. */
  remove(id: string): Promise<number>;
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
}

/** Where a command writes: listings to `out`, everything said to a person to `err`. */
export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'client-secret-file': { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  'trust-email': { type: 'boolean' },
} as const;

/**
 * `providers add|list|remove`, given the words after `providers`. Answers
 * the exit status: 0 done, 1 refused (a taken id, no such provider, a bad
 * value), 2 usage.
 */
export async function runProvidersCommand(args: string[], port: ProvidersPort, { out, err }: Output): Promise<number> {
  try {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: OPTIONS });
    const [command, id, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
    if (command === 'add' && id) {
      if (values['client-id'] === undefined) throw new UsageError('--client-id is required');
      const added = await port.add({
        id,
        kind: values.kind,
        issuer: values.issuer,
        clientId: values['client-id'],
        clientSecret: await clientSecretOf(values, port),
        name: values.name,
        trustEmail: values['trust-email'] ?? false,
      });
      err(
        `Added the provider "${added.id}" (${added.kind}, ${added.issuer}); ` +
          `its redirect URI is PUBLIC_URL/one_auth/api/sign_in/${added.id}/callback. Every instance offers it from its next request on.`,
      );
      return 0;
    }
    if (command === 'list' && !id) {
      out(['id', 'kind', 'name', 'issuer', 'client_id', 'trust_email', 'created_at'].join('\t'));
      for (const provider of await port.list()) {
        out(
          [
            provider.id,
            provider.kind,
            provider.name,
            provider.issuer,
            provider.clientId,
            String(provider.trustEmail),
            new Date(provider.createdAt).toISOString(),
          ].join('\t'),
        );
      }
      return 0;
    }
    if (command === 'remove' && id) {
      const unlinked = await port.remove(id);
      err(
        `Removed the provider "${id}" and the ${unlinked} identities linked through it; no one signs in with it from the next request on.`,
      );
      return 0;
    }
    throw new UsageError(command ? `unknown command: providers ${positionals.join(' ')}` : 'a command is required');
  } catch (error) {
    if (error instanceof ProviderError || error instanceof ProviderInputError) {
      err(`providers: ${error.message}`);
      return 1;
    }
    if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw error;
    err(`providers: ${(error as Error).message}\n${PROVIDERS_USAGE}`);
    return 2;
  }
}

/** Exactly one way of giving the secret; a file's or standard input's trailing line break is not part of it. */
async function clientSecretOf(values: { 'client-secret'?: string; 'client-secret-file'?: string }, port: ProvidersPort): Promise<string> {
  const given = values['client-secret'];
  const file = values['client-secret-file'];
  if ((given === undefined) === (file === undefined))
    throw new UsageError('give the secret once: --client-secret-file PATH or --client-secret -');
  if (file !== undefined) return (await port.readFile(file)).replace(/\r?\n$/, '');
  return given === '-' ? (await port.readStdin()).replace(/\r?\n$/, '') : given!;
}
