import { parseArgs } from 'node:util';
import { API_KEY_SCOPES, parseScopes } from './api-key-scopes.js';
import { ApiKeyError, type ApiKeysService } from './api-keys.service.js';

export const KEYS_USAGE = `usage:
  keys create NAME --scopes users:read,users:write,introspect   make a key; it is printed once, on stdout
                                                                 (scopes: ${API_KEY_SCOPES.join(', ')})
  keys list                                                      every key: name, scopes, created, last used, revoked
  keys revoke NAME                                               refuse the key from the next request on, everywhere`;

/** Where a command writes: the key (or the list) to `out`, everything said to a person to `err`. */
export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Raised for a command line that is not one of KEYS_USAGE. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/**
 * `keys create|list|revoke`, given the words after `keys`. Answers the exit
 * status: 0 done, 1 refused (a taken name, no such key), 2 usage.
 */
export async function runKeysCommand(args: string[], keys: ApiKeysService, { out, err }: Output): Promise<number> {
  try {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { scopes: { type: 'string' } } });
    const [command, name, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
    if (command === 'create' && name) {
      if (values.scopes === undefined) throw new UsageError('--scopes is required');
      const created = await keys.create(name, parseScopes(values.scopes));
      err(`Created the key "${created.name}" with scopes ${created.scopes.join(',')}. It is shown once, below: store it now.`);
      out(created.key);
      return 0;
    }
    if (command === 'list' && !name) {
      out(['name', 'scopes', 'created_at', 'last_used_at', 'revoked_at'].join('\t'));
      for (const key of await keys.list()) {
        out([key.name, key.scopes.join(','), time(key.createdAt), time(key.lastUsedAt), time(key.revokedAt)].join('\t'));
      }
      return 0;
    }
    if (command === 'revoke' && name) {
      await keys.revoke(name);
      err(`Revoked the key "${name}": every instance refuses it from its next request on.`);
      return 0;
    }
    throw new UsageError(command ? `unknown command: keys ${positionals.join(' ')}` : 'a command is required');
  } catch (error) {
    if (error instanceof ApiKeyError) {
      err(`keys: ${error.message}`);
      return 1;
    }
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!usage && !(error instanceof Error && error.message.startsWith('scopes must'))) throw error;
    err(`keys: ${(error as Error).message}\n${KEYS_USAGE}`);
    return 2;
  }
}
